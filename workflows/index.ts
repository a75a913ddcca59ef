// Every workflow the workers run. Deterministic code only: no Node built-ins, no I/O,
// no Date.now()/Math.random() outside the SDK's replacements.
export { amlFreeze } from '../src/features/aml/workflow';
export { binaryTrade } from '../src/features/binary/workflow';
export { kycVerification } from '../src/features/kyc/workflow';
