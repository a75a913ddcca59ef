import { loadConfigOrExit } from '../kernel/config';
import { startApi } from './api';
import { createContext } from './context';
import { initQueues } from './queues';
import { installTemporalRuntime, startWorker } from './worker';
import { createLogger } from '../kernel/logger';

/** API and worker in one process: what `npm start` runs on a developer's machine. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL, 'all');
  // The API serves this process's metrics at /metrics; the SDK's own at TEMPORAL_METRICS_ADDRESS.
  installTemporalRuntime(logger, config.LOG_LEVEL, config.TEMPORAL_METRICS_ADDRESS);
  const ctx = await createContext(config, 'all', { logger });
  ctx.shutdown.onSignals();
  const worker = await startWorker(ctx);
  if (config.QUEUE_WORKERS) await initQueues(ctx);
  const api = await startApi(ctx);
  ctx.logger.info({ url: api.url }, 'ready');
  await worker.done;
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
