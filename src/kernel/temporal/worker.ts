import { readFileSync } from 'node:fs';
import {
  bundleWorkflowCode,
  Worker,
  type BundleOptions,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { Logger as SdkLogger } from '@temporalio/common';
import { TASK_QUEUES } from './task-queues';
import { requestIdActivityInterceptor } from './request-id';
import { keyToHex } from './signing';
import { SIGNING_KEYS_SLOT } from './signing-slot';

export type TaskQueues = { [K in keyof typeof TASK_QUEUES]: string };

/** Where workflow code comes from: a prebuilt bundle in production, the sources in development. */
export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

export const workflowsPath = (): string => require.resolve('../../../workflows');

/** The workflow interceptors every bundle must carry (request ids on logs and activity headers). */
export const workflowInterceptorModules = (): string[] => [require.resolve('./workflow-interceptors')];

/**
 * The one way to bundle the workflows (the build, the workers, the tests): with the project's
 * workflow interceptors. A bundle holds no signing key; see `withSigningKeys`.
 */
export async function bundleWorkflows(
  options: Partial<Pick<BundleOptions, 'workflowsPath' | 'logger'>> = {},
): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath ?? workflowsPath(),
    workflowInterceptorModules: workflowInterceptorModules(),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { code };
}

/**
 * The bundle with the worker's signing keys in place of the slot (kernel/temporal/signing-slot.ts
 * says why this way). The slot must be there exactly once: a bundle that lacks it, or was already
 * filled, is refused rather than run without verification.
 */
export function withSigningKeys(bundle: WorkflowBundle, keys: readonly string[]): WorkflowBundle {
  const parts = bundle.code.split(SIGNING_KEYS_SLOT);
  if (parts.length !== 2) {
    throw new Error(`workflow bundle has ${parts.length - 1} signing-key slots, expected 1 (rebuild it)`);
  }
  if (keys.length === 0 || keys.some((k) => k.length === 0)) throw new Error('no workflow signing key');
  return { code: parts.join(keys.map(keyToHex).join('.')) };
}

/** The code of any workflow source, bundling from sources when needed. */
export async function workflowCode(source: WorkflowSource, logger?: SdkLogger): Promise<WorkflowBundle> {
  const bundle = source.workflowBundle;
  if (bundle && 'code' in bundle) return { code: bundle.code };
  if (bundle && 'codePath' in bundle) return { code: readFileSync(bundle.codePath, 'utf8') };
  return bundleWorkflows({ workflowsPath: source.workflowsPath, logger });
}

export interface WorkerBootstrapOptions {
  connection: NativeConnection;
  namespace: string;
  workflows: WorkflowSource;
  /** WORKFLOW_SIGNING_KEY first, then WORKFLOW_SIGNING_KEY_PREVIOUS when rotating. */
  signingKeys: readonly string[];
  /** Activities per task queue, already built from their dependencies. */
  activities: { [K in keyof TaskQueues]: object };
  taskQueues?: TaskQueues;
  /** Running activities get this long to finish on shutdown (the SDK's default 0 cancels them). */
  shutdownGraceTimeMs: number;
  /** For the bundler when bundling from sources (the SDK's default prints text lines). */
  logger?: SdkLogger;
  /**
   * Sticky cache size of each worker (TEMPORAL_MAX_CACHED_WORKFLOWS). Waiting workflows (a KYC case
   * waiting days for its provider) are the least recently used, so they are the ones evicted and
   * replayed when a signal comes; active ones stay cached. Bounds the RSS of many waiting cases.
   */
  maxCachedWorkflows?: number;
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
    workflowBundle: withSigningKeys(await workflowCode(opts.workflows, opts.logger), opts.signingKeys),
    shutdownGraceTime: opts.shutdownGraceTimeMs,
    interceptors: { activity: [requestIdActivityInterceptor] },
    // The enhanced stack trace query would otherwise return the bundle's sources, key included.
    showStackTraceSources: false,
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
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
