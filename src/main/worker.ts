import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { loadConfigOrExit } from '../kernel/config';
import { connectWorker } from '../kernel/temporal/connection';
import { createWorkers, runWorkers, workflowsPath, type WorkflowSource } from '../kernel/temporal/worker';
import { BinaryTrades, startReconciler } from '../features/binary/client';
import { createContext, type AppContext } from './context';
import { initQueues } from './queues';

export interface RunningWorker {
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
}

/** Starts the Temporal workers of both task queues. Stopping is registered with ctx.shutdown. */
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
    activities: createActivities(ctx),
    taskQueues: ctx.taskQueues,
    shutdownGraceTimeMs: ctx.config.TEMPORAL_SHUTDOWN_GRACE_MS,
  });
  const done = runWorkers(workers).finally(() => connection.close());
  // Registered last so it runs first: workers drain before Redis and the ORM close under them.
  ctx.shutdown.add('temporal-workers', async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await done.catch(() => undefined);
  });
  const trades = new BinaryTrades(ctx.temporal, ctx.taskQueues.trading);
  const stopReconciler = startReconciler(
    () => trades.reconcile(ctx.orm.em.fork(), ctx.logger),
    ctx.config.BINARY_RECONCILE_INTERVAL_MS,
    ctx.logger,
  );
  ctx.shutdown.add('binary-reconciler', stopReconciler);
  ctx.logger.info({ taskQueues: ctx.taskQueues }, 'temporal workers running');
  return { done };
}

/** Route the SDK's core logs through a filter; installed once per process by entry points. */
export function installTemporalRuntime(level: string): void {
  Runtime.install({
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level === 'debug' ? 'DEBUG' : 'WARN' }) },
    },
  });
}

if (require.main === module) {
  void (async () => {
    const config = loadConfigOrExit();
    installTemporalRuntime(config.LOG_LEVEL);
    const ctx = await createContext(config, 'worker');
    ctx.shutdown.onSignals();
    const { done } = await startWorker(ctx);
    // BullMQ workers (email, AI scans); closed by ctx.shutdown before Redis.
    if (config.QUEUE_WORKERS) await initQueues(ctx);
    await done;
  })().catch((err) => {
    process.stderr.write(`worker failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
