import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { AppError, isErrorCode } from '../errors';
import { domainFailure } from './domain-failure';

/** Innermost ApplicationFailure of a failure chain (update -> activity -> application). */
function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/**
 * Temporal client errors as domain errors: an update refused by its validator or failed by an
 * activity with a domain error type keeps that code (INSUFFICIENT_FUNDS -> 422, ...); any other
 * update failure is a 500 (logged); a workflow that does not exist (or has completed) is `notFound`.
 */
export function fromTemporalError(err: unknown, notFound: AppError): never {
  if (err instanceof WorkflowUpdateFailedError) {
    const failure = applicationFailureIn(err);
    if (failure && isErrorCode(failure.type)) throw new AppError(failure.type, failure.message);
    // Not one of ours: a bug or an infrastructure failure, answered as a logged 500, never guessed at.
    throw new Error(
      `update failed with unknown failure type ${failure?.type ?? '(none)'}: ${failure?.message ?? err.message}`,
    );
  }
  if (err instanceof WorkflowNotFoundError) throw notFound;
  throw err;
}

/** An AppError thrown inside an activity, as a non-retryable failure that keeps its code. */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof AppError) {
    return domainFailure(err.code, err.message, err.details ?? null);
  }
  return err;
}
