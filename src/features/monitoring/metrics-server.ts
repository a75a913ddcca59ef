import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { errorMiddleware } from '../../kernel/http/middleware/errors';
import type { AppMetrics } from '../../kernel/metrics/app-metrics';
import { createMetricsRouter } from './metrics-routes';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A worker process has no API: it serves its own metrics (BullMQ jobs it ran, settlements, KYC
 * decisions, process defaults) at GET /metrics on `address` (host:port), behind the same bearer
 * token as the API's /metrics.
 */
export async function startMetricsServer(address: string, metrics: AppMetrics, token?: string): Promise<MetricsServer> {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware());
  const router = createMetricsRouter({ metrics, token });
  app.use(router.routes());
  const server: Server = createServer(app.callback());
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at) || '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(address.slice(at + 1)), host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
