import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { isExpectedRefusal, type ErrorCode } from '../errors';

/**
 * The one way a workflow, an update validator or an activity reports a domain refusal to
 * Temporal: an ApplicationFailure whose `type` is a code from kernel/errors.ts (never a class
 * name: bundling renames classes), non-retryable. The API maps the code back to its HTTP status.
 * Pure, so workflow code may import it.
 *
 * An expected refusal (a 4xx code) is BENIGN: the SDK logs it at debug instead of warning with a
 * stack, and does not count it as a failure in its metrics.
 */
export function domainFailure(code: ErrorCode, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
    ...(isExpectedRefusal(code) ? { category: ApplicationFailureCategory.BENIGN } : {}),
  });
}
