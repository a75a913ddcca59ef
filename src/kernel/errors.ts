/**
 * The one error type the domain throws. The HTTP edge maps `code` to a status with
 * `httpStatusFor` (src/kernel/http/middleware/errors.ts); nothing else decides status codes.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ACCOUNT_FROZEN',
  'WALLET_LOCKED',
  'KYC_REQUIRED',
  'COMPLIANCE_HOLD',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'EMAIL_TAKEN',
  'INVALID_STATE',
  'IDEMPOTENCY_KEY_REUSED',
  'INSUFFICIENT_FUNDS',
  'UNPROCESSABLE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'PROVIDER_REJECTED',
  'PROVIDER_NOT_CONFIGURED',
  'DEPENDENCY_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const isErrorCode = (value: unknown): value is ErrorCode => ERROR_CODES.includes(value as ErrorCode);

/** The codes that mean "something is broken here" (HTTP 5xx); every other one is an expected refusal. */
const FAULT_CODES: readonly ErrorCode[] = ['INTERNAL', 'DEPENDENCY_UNAVAILABLE', 'PROVIDER_NOT_CONFIGURED'];

/**
 * An expected refusal (ACCOUNT_FROZEN, INSUFFICIENT_FUNDS, INVALID_STATE, ...): the system did its
 * job. Logged at info without a stack, never as a warning (kernel/temporal/sdk-logger.ts).
 */
export const isExpectedRefusal = (code: unknown): boolean => isErrorCode(code) && !FAULT_CODES.includes(code);

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
