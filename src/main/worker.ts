import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { activitiesPerTaskQueue } from '../../activities';
import { loadConfigOrExit } from '../kernel/config';
import { connectWorker } from '../kernel/temporal/connection';
import { createWorkers, runWorkers, workflowsPath, type WorkflowSource } from '../kernel/temporal/worker';
import { startReconciler } from '../features/binary/client';
import { priceFeedFromConfig } from '../features/market';
import { startOutboxRelay } from './outbox';
import { createLogger, type Logger } from '../kernel/logger';
import { temporalSdkLogger } from '../kernel/temporal/sdk-logger';
import { createContext, type AppContext } from './context';
import { initQueues } from './queues';
import { startMetricsServer } from '../features/monitoring/metrics-server';

export interface RunningWorker {
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
}

/**
 * The worker role: Temporal workers of both task queues, the outbox relay and the binary
 * reconciler. Stopping is registered with ctx.shutdown.
 */
export async function startWorker(ctx: AppContext, workflows?: WorkflowSource): Promise<RunningWorker> {
  const connection = await connectWorker({
    address: ctx.config.TEMPORAL_ADDRESS,
    namespace: ctx.config.TEMPORAL_NAMESPACE,
  });
  const source: WorkflowSource =
    workflows ??
    (ctx.config.TEMPORAL_WORKFLOW_BUNDLE
      ? { workflowBundle: { codePath: ctx.config.TEMPORAL_WORKFLOW_BUNDLE } }
      : { workflowsPath: workflowsPath() });
  const workers = await createWorkers({
    connection,
    namespace: ctx.config.TEMPORAL_NAMESPACE,
    workflows: source,
    signingKeys: [ctx.config.WORKFLOW_SIGNING_KEY, ctx.config.WORKFLOW_SIGNING_KEY_PREVIOUS].filter((k): k is string =>
      Boolean(k),
    ),
    activities: activitiesPerTaskQueue({
      kyc: {
        orm: ctx.orm,
        providers: ctx.kycProviders,
        onDecision: (d) => ctx.metrics.business.kycDecisions.inc(d),
      },
      aml: { orm: ctx.orm, events: ctx.events },
      binary: {
        orm: ctx.orm,
        lock: ctx.lock,
        aml: ctx.amlChecks,
        feed: priceFeedFromConfig(ctx.config, () => ctx.orm.em.fork()),
        onSettled: (lag) => ctx.metrics.business.settlementLag.observe(Math.max(0, lag)),
        onSettlementFailed: () => ctx.metrics.business.settlementFailed.inc(),
      },
    }),
    taskQueues: ctx.taskQueues,
    logger: temporalSdkLogger(ctx.logger),
    shutdownGraceTimeMs: ctx.config.TEMPORAL_SHUTDOWN_GRACE_MS,
    maxCachedWorkflows: ctx.config.TEMPORAL_MAX_CACHED_WORKFLOWS,
  });
  const done = runWorkers(workers).finally(() => connection.close());
  // Registered last so it runs first: workers drain before Redis and the ORM close under them.
  ctx.shutdown.add('temporal-workers', async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await done.catch(() => undefined);
  });
  if (ctx.config.OUTBOX_RELAY) await startOutboxRelay(ctx);
  if (ctx.config.BINARY_RECONCILER) {
    const stopReconciler = startReconciler(
      () => ctx.binaryTrades.reconcile(ctx.orm.em.fork(), ctx.logger),
      ctx.config.BINARY_RECONCILE_INTERVAL_MS,
      ctx.logger,
    );
    ctx.shutdown.add('binary-reconciler', stopReconciler);
  }
  ctx.logger.info({ taskQueues: ctx.taskQueues }, 'temporal workers running');
  return { done };
}

/**
 * The SDK's logs (worker, activities, workflows, and the Rust core's, forwarded) through the
 * process's pino logger: one JSON line each (kernel/temporal/sdk-logger.ts). Installed once per
 * process by entry points, before any worker or connection exists.
 */
export function installTemporalRuntime(logger: Logger, level: string, metricsAddress?: string): void {
  Runtime.install({
    logger: temporalSdkLogger(logger),
    telemetryOptions: {
      logging: {
        filter: makeTelemetryFilterString({ core: level === 'debug' || level === 'trace' ? 'DEBUG' : 'WARN' }),
        forward: {},
      },
      // The SDK's own metrics (task slots, poll and schedule-to-start latencies, sticky cache...),
      // served by the Rust core at http://<address>/metrics; counters end in _total and durations
      // are in seconds, as in the rest of our metrics.
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true },
            },
          }
        : {}),
    },
  });
}

/** The worker process's own metrics at WORKER_METRICS_ADDRESS (the API serves them in the other roles). */
export async function startWorkerMetrics(ctx: AppContext): Promise<string | undefined> {
  if (!ctx.config.WORKER_METRICS_ADDRESS) return undefined;
  const server = await startMetricsServer(ctx.config.WORKER_METRICS_ADDRESS, ctx.metrics, ctx.config.METRICS_TOKEN);
  ctx.shutdown.add('worker-metrics', () => server.close());
  ctx.logger.info({ url: `${server.url}/metrics` }, 'worker metrics listening');
  return server.url;
}

if (require.main === module) {
  void (async () => {
    const config = loadConfigOrExit();
    const logger = createLogger(config.LOG_LEVEL, 'worker');
    installTemporalRuntime(logger, config.LOG_LEVEL, config.TEMPORAL_METRICS_ADDRESS);
    const ctx = await createContext(config, 'worker', { logger });
    ctx.shutdown.onSignals();
    await startWorkerMetrics(ctx);
    const { done } = await startWorker(ctx);
    // BullMQ workers (email, AI scans); closed by ctx.shutdown before Redis.
    if (config.QUEUE_WORKERS) await initQueues(ctx);
    await done;
  })().catch((err) => {
    process.stderr.write(`worker failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
