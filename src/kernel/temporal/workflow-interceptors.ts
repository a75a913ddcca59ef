import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from './request-id-header';

/**
 * Workflow interceptors (bundled with the workflows: kernel/temporal/worker.ts `bundleWorkflows`).
 * The request id of the HTTP request that started the workflow, or sent its latest signal or
 * update, goes on the workflow's log lines and on the header of each activity it schedules
 * (kernel/temporal/request-id.ts). One instance per workflow run: no state shared between runs.
 */
export const interceptors = (): WorkflowInterceptors => {
  const fromHeaders = (headers: Headers): string | undefined => {
    const p = headers[REQUEST_ID_HEADER];
    const value = p ? defaultPayloadConverter.fromPayload(p) : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  let requestId: string | undefined;
  // Until the start's header is read, the memo's (the client interceptor puts it there on every
  // start): the SDK's own "Workflow started" line is written before any inbound interceptor runs.
  const current = (): string | undefined => {
    if (requestId) return requestId;
    const memo = workflowInfo().memo?.requestId;
    return typeof memo === 'string' ? memo : undefined;
  };
  const withHeader = (headers: Headers): Headers => {
    const id = current();
    return id ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) } : headers;
  };
  return {
    inbound: [
      {
        async execute(input, next) {
          requestId = fromHeaders(input.headers) ?? requestId;
          return next(input);
        },
        async handleSignal(input, next) {
          requestId = fromHeaders(input.headers) ?? requestId;
          return next(input);
        },
        async handleUpdate(input, next) {
          requestId = fromHeaders(input.headers) ?? requestId;
          return next(input);
        },
      },
    ],
    outbound: [
      {
        async scheduleActivity(input, next) {
          return next({ ...input, headers: withHeader(input.headers) });
        },
        async scheduleLocalActivity(input, next) {
          return next({ ...input, headers: withHeader(input.headers) });
        },
        getLogAttributes(input, next) {
          const id = current();
          return next(id ? { ...input, requestId: id } : input);
        },
      },
    ],
  };
};
