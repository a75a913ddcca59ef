import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../../src/kernel/temporal/worker';
import { requestIdActivityInterceptor } from '../../src/kernel/temporal/request-id';
import { withTestKey } from './signing';

/**
 * Workflow tests run the real workflow code on the Temporal dev server that global-setup started,
 * with activities replaced by recording mocks.
 *
 * Not the time-skipping test server: that is a separate binary which the SDK downloads from the
 * internet at run time and no npm package ships, and this machine reaches only the package
 * registries. So durations in workflow inputs are short and tests wait for positive markers
 * (an activity having been called, a query answer) with a bounded poll, never a bare sleep.
 */
export async function workflowTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through jest (global-setup)');
  // The tests make activities fail on purpose; the SDK would log each failure as a warning.
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

let bundle: Promise<WorkflowBundle> | undefined;

/**
 * The workers' own workflow entry point, bundled once per test file (bundling takes seconds), with
 * the test signing key in place (test/helpers/signing.ts signs as the API does).
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  const noop = () => undefined;
  bundle ??= bundleWorkflows({
    workflowsPath: resolve(__dirname, '../../workflows'),
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop },
  }).then(withTestKey);
  return bundle;
}

/** Runs `fn` while a worker with these activities polls a task queue of its own. */
export async function withWorker<R>(
  env: TestWorkflowEnvironment,
  activities: object,
  fn: (taskQueue: string) => Promise<R>,
): Promise<R> {
  const taskQueue = `wf-test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    interceptors: { activity: [requestIdActivityInterceptor] },
    activities,
  });
  return worker.runUntil(fn(taskQueue));
}

export interface ActivityCall {
  name: string;
  input: any;
  /** Wall-clock time of the call, epoch ms. */
  at: number;
}

/**
 * Wraps plain async functions so every call is recorded (name, first argument, time) before the
 * implementation runs. `calls` is shared by all the functions, in call order.
 */
export function recording<T extends Record<string, (input: any) => Promise<unknown>>>(
  impl: T,
): { activities: T; calls: ActivityCall[]; callsOf: (name: keyof T) => ActivityCall[] } {
  const calls: ActivityCall[] = [];
  const activities = Object.fromEntries(
    Object.entries(impl).map(([name, fn]) => [
      name,
      async (input: unknown) => {
        calls.push({ name, input, at: Date.now() });
        return fn(input);
      },
    ]),
  ) as T;
  return { activities, calls, callsOf: (name) => calls.filter((c) => c.name === name) };
}
