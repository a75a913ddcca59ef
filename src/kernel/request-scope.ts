import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the code running for one HTTP request (or one activity) knows about where it came from,
 * without passing it down every call: the request id, for the Temporal client interceptor to
 * put on everything it sends (kernel/temporal/request-id.ts).
 */
export interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const runInRequestScope = <T>(scope: RequestScope, fn: () => T): T => storage.run(scope, fn);

export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
