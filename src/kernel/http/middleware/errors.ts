import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../../errors';
import { zodDetails } from '../validate';
import { isDatabaseUnavailable } from '../../db/unavailable';

/** The single code-to-status map. */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_FROZEN: 403,
  WALLET_LOCKED: 403,
  KYC_REQUIRED: 403,
  COMPLIANCE_HOLD: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  INVALID_STATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  INSUFFICIENT_FUNDS: 422,
  UNPROCESSABLE: 422,
  PROVIDER_REJECTED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DEPENDENCY_UNAVAILABLE: 503,
  PROVIDER_NOT_CONFIGURED: 503,
};

export const httpStatusFor = (code: ErrorCode): number => STATUS[code];

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/**
 * Turns every thrown error into `{ error: { code, message, details } }`. 5xx messages are
 * replaced by a generic one (the real error is logged with the request id), and no stack
 * trace ever reaches the client.
 */
export function errorMiddleware() {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
      }
      // The router answered 405 with an Allow header and no body; the header stays.
      if (ctx.status === 405 && (ctx.body === undefined || ctx.body === null)) {
        throw new AppError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`, {
          allow: ctx.response.get('Allow'),
        });
      }
    } catch (err) {
      const requestId = ctx.state.requestId as string | undefined;
      const appErr = toAppError(err);
      const status = httpStatusFor(appErr.code);
      ctx.state.errorCode = appErr.code; // on the request's access line
      if (status >= 500) {
        ctx.state.logger?.error({ err }, 'request failed');
      }
      const body: ErrorBody = {
        error: {
          code: appErr.code,
          message: status >= 500 && appErr.code === 'INTERNAL' ? 'internal error' : appErr.message,
          ...(appErr.details !== undefined && status < 500 ? { details: appErr.details } : {}),
          requestId,
        },
      };
      ctx.status = status;
      ctx.body = body;
    }
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new AppError('VALIDATION_FAILED', 'invalid input', zodDetails(err));
  // koa/http-errors style (body too large, bad JSON from the body parser).
  const status = (err as { status?: number; expose?: boolean }).status;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', (err as Error).message);
  if (status === 400) return new AppError('VALIDATION_FAILED', (err as Error).message);
  // A connection lost under the request (terminated backend, failover): retryable, not a bug.
  if (isDatabaseUnavailable(err)) return new AppError('DEPENDENCY_UNAVAILABLE', 'database unavailable, retry');
  return new AppError('INTERNAL', (err as Error)?.message ?? 'internal error');
}
