import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUES } from './task-queues';

export type TaskQueues = { [K in keyof typeof TASK_QUEUES]: string };

/** Where workflow code comes from: a prebuilt bundle in production, the sources in development. */
export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

export const workflowsPath = (): string => require.resolve('../../../workflows');

export interface WorkerBootstrapOptions {
  connection: NativeConnection;
  namespace: string;
  workflows: WorkflowSource;
  /** Activities per task queue, already built from their dependencies. */
  activities: { [K in keyof TaskQueues]: object };
  taskQueues?: TaskQueues;
  /** Running activities get this long to finish on shutdown (the SDK's default 0 cancels them). */
  shutdownGraceTimeMs: number;
}

/**
 * One worker per task queue. Trading settlements are limited as the seed's binary queue was:
 * 10 at a time per worker, 50 per second across all workers of the queue.
 */
export async function createWorkers(opts: WorkerBootstrapOptions): Promise<Worker[]> {
  const queues = opts.taskQueues ?? TASK_QUEUES;
  const common = {
    connection: opts.connection,
    namespace: opts.namespace,
    ...opts.workflows,
    shutdownGraceTime: opts.shutdownGraceTimeMs,
  };
  return Promise.all([
    Worker.create({ ...common, taskQueue: queues.compliance, activities: opts.activities.compliance }),
    Worker.create({
      ...common,
      taskQueue: queues.trading,
      activities: opts.activities.trading,
      maxConcurrentActivityTaskExecutions: 10,
      maxTaskQueueActivitiesPerSecond: 50,
    }),
  ]);
}

/** Runs every worker until all have stopped; a failure of one shuts the others down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  try {
    await Promise.all(workers.map((w) => w.run()));
  } catch (err) {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    throw err;
  }
}
