import { randomUUID } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/kernel/config';
import { createContext, type AppContext } from '../../src/main/context';
import { startApi, type RunningApi } from '../../src/main/api';
import { startWorker, type RunningWorker } from '../../src/main/worker';
import { bundleWorkflows, type TaskQueues } from '../../src/kernel/temporal/worker';
import { TEST_WORKFLOW_SIGNING_KEY, withTestKey } from './signing';

/**
 * Configuration for tests: the services global-setup prepared, a test-only Redis prefix,
 * quiet logs. `overrides` win.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    REDIS_URL: process.env.TEST_REDIS_URL,
    // Set by the Redis Cluster suite (jest.redis-cluster.config.js); unset, one server.
    REDIS_CLUSTER_NODES: process.env.TEST_REDIS_CLUSTER_NODES,
    REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    RUN_MIGRATIONS: 'false',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    WORKFLOW_SIGNING_KEY: TEST_WORKFLOW_SIGNING_KEY,
    KYC_LOCAL_WEBHOOK_SECRET: 'local-kyc-webhook-secret',
    MARKET_SEED: 'test-market',
    // Every test signs up and in from 127.0.0.1; test/integration/throttle.test.ts sets real limits.
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_REGISTER_PER_IP: '1000000',
    RATE_LIMIT_WEBHOOK_PER_IP: '1000000',
    RATE_LIMIT_WEBHOOK_PER_PROVIDER: '1000000',
    TEMPORAL_SHUTDOWN_GRACE_MS: '2000',
    // Webhook receivers in tests listen on 127.0.0.1; the SSRF test turns this off again.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // Test files share one database: a worker that reconciled would resume (and settle, or crash
    // at an armed point for) the overdue trades other files left. binary.test.ts calls reconcile().
    BINARY_RECONCILER: 'false',
    ...overrides,
  });
}

/**
 * A full process context on the real services, with task queues unique to this test (or the
 * given ones, to stand in for a restarted process).
 */
export async function createTestContext(
  overrides: Record<string, string> = {},
  taskQueues?: TaskQueues,
): Promise<AppContext> {
  const suffix = randomUUID().slice(0, 8);
  const config = testConfig(overrides);
  return createContext(config, 'test', {
    taskQueues: taskQueues ?? { compliance: `compliance-${suffix}`, trading: `trading-${suffix}` },
    logger: pino({ level: config.LOG_LEVEL }),
  });
}

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow bundle as built (empty signing-key slot), once per test file (bundling takes seconds). */
export function testBundleWithoutKey(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflows({ logger: quietBundlerLogger });
  return bundle;
}

/** The bundle as the test workers run it (the test signing key in place): for replays. */
export async function testWorkflowBundle(): Promise<WorkflowBundle> {
  return withTestKey(await testBundleWithoutKey());
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** The real worker bootstrap on the test context's task queues. */
export async function startTestWorker(ctx: AppContext): Promise<RunningWorker> {
  return startWorker(ctx, { workflowBundle: await testBundleWithoutKey() });
}

export async function startTestApi(ctx: AppContext): Promise<RunningApi> {
  return startApi(ctx, 0);
}
