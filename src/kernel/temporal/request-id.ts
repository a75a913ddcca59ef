import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { currentRequestId, runInRequestScope } from '../request-scope';
import { REQUEST_ID_HEADER } from './request-id-header';

/**
 * The request id of an HTTP request travels with what it sends to Temporal, so one id finds the
 * request's line, its workflow's lines and its activities' lines:
 *
 * - client (this file): every start, signal, update and signal-with-start made while serving a
 *   request carries the id in a `request-id` header, and a start also in the memo (`requestId`,
 *   shown by the UI and `temporal workflow describe`);
 * - workflow (kernel/temporal/workflow-interceptors.ts): the latest id received is put on the
 *   workflow's log lines and on the header of every activity it schedules;
 * - activity (below): the header's id is on the activity's log lines and in its request scope.
 */

const withRequestId = (headers: Headers, requestId: string | undefined): Headers =>
  requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;

export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  return {
    async start(input, next) {
      const requestId = currentRequestId();
      return next({
        ...input,
        headers: withRequestId(input.headers, requestId),
        options: requestId ? { ...input.options, memo: { ...input.options.memo, requestId } } : input.options,
      });
    },
    async startWithDetails(input, next) {
      const requestId = currentRequestId();
      return next({
        ...input,
        headers: withRequestId(input.headers, requestId),
        options: requestId ? { ...input.options, memo: { ...input.options.memo, requestId } } : input.options,
      });
    },
    async signal(input, next) {
      return next({ ...input, headers: withRequestId(input.headers, currentRequestId()) });
    },
    async signalWithStart(input, next) {
      const requestId = currentRequestId();
      return next({
        ...input,
        headers: withRequestId(input.headers, requestId),
        options: requestId ? { ...input.options, memo: { ...input.options.memo, requestId } } : input.options,
      });
    },
    async startUpdate(input, next) {
      return next({ ...input, headers: withRequestId(input.headers, currentRequestId()) });
    },
    async startUpdateWithStart(input, next) {
      const requestId = currentRequestId();
      return next({
        ...input,
        workflowStartHeaders: withRequestId(input.workflowStartHeaders, requestId),
        updateHeaders: withRequestId(input.updateHeaders, requestId),
        workflowStartOptions: requestId
          ? { ...input.workflowStartOptions, memo: { ...input.workflowStartOptions.memo, requestId } }
          : input.workflowStartOptions,
      });
    },
  };
}

/** Worker side: the activity's request id (from the header its workflow set) on its log lines. */
export const requestIdActivityInterceptor: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      async execute(input, next) {
        const header = input.headers[REQUEST_ID_HEADER];
        requestId = header ? (defaultPayloadConverter.fromPayload(header) as string) : undefined;
        return requestId ? runInRequestScope({ requestId }, () => next(input)) : next(input);
      },
    },
    outbound: {
      getLogAttributes(attrs, next) {
        return next(requestId ? { ...attrs, requestId } : attrs);
      },
    },
  };
};
