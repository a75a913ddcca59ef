import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { requestIdClientInterceptor } from './request-id';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/**
 * Client used by the API (and tests) to start, signal, update and query workflows. What it sends
 * while serving a request carries that request's id (kernel/temporal/request-id.ts).
 */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, connectTimeout: '5s' });
  return new Client({
    connection,
    namespace: target.namespace,
    interceptors: { workflow: [requestIdClientInterceptor()] },
  });
}

/** The worker's native (Rust core) connection. Close it only after every worker has stopped. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
}

/** Readiness probe: the frontend answers and the namespace exists. */
export async function checkTemporal(client: Client): Promise<void> {
  await client.workflowService.describeNamespace({ namespace: client.options.namespace });
}
