import type { Logger as SdkLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from '../logger';
import { isExpectedRefusal } from '../errors';

/**
 * The Temporal SDK's logger (worker, activities, workflows through their sink, and the Rust core
 * by forwarding), writing through the process's pino logger: one JSON line per message, with the
 * SDK's attributes as fields (workflowId, runId, activityType, requestId, sdkComponent, ...).
 *
 * - An expected refusal (an ApplicationFailure whose type is a 4xx domain code, ACCOUNT_FROZEN,
 *   INSUFFICIENT_FUNDS ...) is logged at info at most, as `refusal: {code, message}`, no stack.
 * - Any other error is pino's `err` (type, message, stack as one JSON string field).
 * - Task tokens are dropped: with one, anyone reading the logs could complete the activity.
 */
export function temporalSdkLogger(logger: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    const fields: Record<string, unknown> = {};
    let error: unknown;
    for (const [key, value] of Object.entries(meta)) {
      if (/^task_?token$/i.test(key) || /tasktoken/i.test(key)) continue;
      if (key === 'error' || key === 'err' || key === 'failure') error = value;
      else fields[key] = typeof value === 'string' ? withoutTaskTokens(value) : value;
    }
    let pinoLevel = LEVELS[level];
    const refusal = expectedRefusal(error);
    if (refusal) {
      fields.refusal = refusal;
      if (pinoLevel === 'warn' || pinoLevel === 'error') pinoLevel = 'info';
    } else if (error !== undefined) {
      fields.err = error instanceof Error ? error : errorLike(error);
    }
    logger[pinoLevel](fields, withoutTaskTokens(message.replace(/\s*\n\s*/g, ' ')));
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** The core's debug lines print task tokens inside text (`task_token: TaskToken(<base64>)`). */
const withoutTaskTokens = (text: string): string =>
  text.includes('TaskToken(') ? text.replace(/TaskToken\([^)]*\)/g, 'TaskToken(redacted)') : text;

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The domain code of an expected refusal, looking through the failure's causes (an activity
 * failure wraps the application failure). Duck-typed: errors from the workflow sandbox come from
 * another V8 context, where `instanceof` does not hold.
 */
export function expectedRefusal(error: unknown): { code: string; message: string } | undefined {
  for (
    let e = error as { type?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e !== 'object') return undefined;
    if (e.name === 'ApplicationFailure' || e.name === 'AppError') {
      const code = e.type ?? (e as { code?: unknown }).code;
      return isExpectedRefusal(code) ? { code: String(code), message: String(e.message ?? '') } : undefined;
    }
  }
  return undefined;
}

const errorLike = (value: unknown) =>
  typeof value === 'object' && value !== null ? value : { message: String(value) };
