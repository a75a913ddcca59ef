import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { AppError } from '../domain/errors';

/**
 * Temporal client errors as domain errors: an update refused by its validator is a 409 with the
 * validator's message; a workflow that does not exist (or has completed) is `notFound`.
 */
export function fromTemporalError(err: unknown, notFound: AppError): never {
  if (err instanceof WorkflowUpdateFailedError) {
    throw new AppError('INVALID_STATE', err.cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError) throw notFound;
  throw err;
}
