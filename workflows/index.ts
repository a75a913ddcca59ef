// Every workflow the workers run. Deterministic code only: no Node built-ins, no I/O,
// no Date.now()/Math.random() outside the SDK's replacements.
export { amlFreeze } from './aml-freeze';
export { binaryTrade } from './binary-trade';
export { kycVerification } from './kyc-verification';
