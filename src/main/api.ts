import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../kernel/http/app';
import { buildRouters } from './routers';
import { loadConfigOrExit } from '../kernel/config';
import { allQueueMetrics } from './queues';
import { startQueueMetricsBroadcast } from '../features/realtime/queue-metrics-broadcast';
import { attachRealtime, type RealtimeServer } from '../features/realtime/server';
import { createContext, type AppContext } from './context';

export interface RunningApi {
  server: Server;
  url: string;
  realtime: RealtimeServer;
}

/** Serves the API on `port` (0 = any free port). Closing is registered with ctx.shutdown. */
export async function startApi(ctx: AppContext, port = ctx.config.PORT): Promise<RunningApi> {
  const app = createApp({
    logger: ctx.logger,
    orm: ctx.orm,
    bodyLimit: ctx.config.BODY_LIMIT,
    routers: buildRouters(ctx),
    formPaths: ['/console'],
    metrics: ctx.metrics.http,
  });
  const server = createServer(app.callback());
  // Keep-alive sockets idle longer than a load balancer's timeout avoid spurious 502s.
  server.keepAliveTimeout = 65_000;
  // Socket.IO on the same server (before listen, so the upgrade handler is there from the start).
  const realtime = attachRealtime(server, {
    config: ctx.config,
    logger: ctx.logger,
    redis: ctx.redis,
    connection: ctx.redisConnection,
    tokens: ctx.tokens,
    onConnection: () => {
      const { socketConnections, socketConnectionsOpened } = ctx.metrics.business;
      socketConnections.inc();
      socketConnectionsOpened.inc();
      return () => socketConnections.dec();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  }).catch(async (err: unknown) => {
    await realtime.disconnectSocket();
    throw err;
  });
  ctx.shutdown.add('http', () => closeServer(server));
  // Registered after 'http', so it runs before it: open websockets would keep server.close() waiting.
  ctx.shutdown.add('socket.io', () => realtime.disconnectSocket());
  if (ctx.config.QUEUE_METRICS_BROADCAST_MS > 0) {
    const stop = startQueueMetricsBroadcast({
      redis: ctx.redis,
      redisPrefix: ctx.config.REDIS_PREFIX,
      events: ctx.events,
      logger: ctx.logger,
      intervalMs: ctx.config.QUEUE_METRICS_BROADCAST_MS,
      collect: async () => ({ ...(await allQueueMetrics(ctx)) }),
    });
    ctx.shutdown.add('queue-metrics-broadcast', stop);
  }
  const { port: bound } = server.address() as AddressInfo;
  ctx.logger.info({ port: bound }, 'api listening');
  return { server, url: `http://127.0.0.1:${bound}`, realtime };
}

/** Stops accepting, lets in-flight requests finish, then drops idle keep-alive sockets. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

if (require.main === module) {
  void (async () => {
    const config = loadConfigOrExit();
    const ctx = await createContext(config, 'api');
    ctx.shutdown.onSignals();
    await startApi(ctx);
  })().catch((err) => {
    process.stderr.write(`api failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
