import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RedisClient } from '../kernel/redis/client';
import { TokenService } from '../features/auth/tokens';
import { accountStatus } from '../features/auth/users';
import { AmlCases } from '../features/aml/cases';
import { AmlChecks, amlThresholdsFromConfig, loadSanctionsList } from '../features/aml/checks';
import { BinaryTrades } from '../features/binary/client';
import { KycCases } from '../features/kyc/cases';
import { kycProvidersFromConfig, type KycProviders } from '../features/kyc/providers/registry';
import { BullEmailQueue } from '../features/notifications/email-queue';
import { BullWebhookQueue, webhookRetryPolicy } from '../features/webhooks/queue';
import { eventPublisherFor } from '../features/realtime/publisher';
import type { EventPublisher } from '../features/realtime/events';
import type { Config } from '../kernel/config';
import { createOrm, migrate } from '../kernel/db/orm';
import { createReadPool, type ReadDb } from '../kernel/db/read-pool';
import { armCrashPoints, armPausePoints } from '../kernel/faults';
import { createLogger, type Logger } from '../kernel/logger';
import { closeRedis, createRedis, isCluster, redisConnection, type RedisConnection } from '../kernel/redis/client';
import { bullPrefix } from '../kernel/redis/keys';
import { DistributedLock } from '../kernel/redis/distributed-lock';
import { connectClient } from '../kernel/temporal/connection';
import { WorkflowSigner } from '../kernel/temporal/signing';
import { taskQueuesWithPrefix } from '../kernel/temporal/task-queues';
import type { TaskQueues } from '../kernel/temporal/worker';
import { Shutdown } from './shutdown';
import { createAppMetrics, type AppMetrics } from '../kernel/metrics/app-metrics';

/**
 * What one process is built from: its infrastructure and the feature services on top of it,
 * each constructed once, here. Entry points (api.ts, worker.ts, all.ts) take from it what their
 * role needs and pass it down; nothing outside src/main imports this file.
 */
export interface AppContext {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  /** Plain `pg` reads for the hot read endpoints (connects on first use). */
  reads: ReadDb;
  redis: RedisClient;
  /** Where `redis` connects (one server or a cluster), for clients a feature opens itself. */
  redisConnection: RedisConnection;
  lock: DistributedLock;
  tokens: TokenService;
  temporal: Client;
  taskQueues: TaskQueues;
  /** Live events to Socket.IO rooms on every instance (the outbox relay's and reminders' publisher). */
  events: EventPublisher;
  /** Email jobs (BullMQ `email-notifications`), fed by the outbox relay. */
  email: BullEmailQueue;
  /** Outbound webhook delivery jobs (BullMQ `webhook-deliveries`), fed by the outbox relay. */
  webhooks: BullWebhookQueue;
  kycProviders: KycProviders;
  kycCases: KycCases;
  binaryTrades: BinaryTrades;
  amlChecks: AmlChecks;
  amlCases: AmlCases;
  shutdown: Shutdown;
  /** This process's Prometheus metrics (HTTP, BullMQ jobs, business events). */
  metrics: AppMetrics;
  /** This process's id among the replicas (the cluster metrics lease's value). */
  instanceId: string;
}

export interface ContextOverrides {
  taskQueues?: TaskQueues;
  logger?: Logger;
  events?: EventPublisher;
}

export async function createContext(
  config: Config,
  name: string,
  overrides: ContextOverrides = {},
): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL, name);
  armCrashPoints(config.FAULT_CRASH_POINTS);
  armPausePoints(config.FAULT_PAUSE_POINTS, config.FAULT_PAUSE_MS);
  const shutdown = new Shutdown(logger);
  try {
    const orm = await createOrm(
      config.DATABASE_URL,
      logger,
      config.OUTBOX_CHANNEL ?? config.REDIS_PREFIX,
      config.DATABASE_POOL_MAX,
    );
    shutdown.add('orm', () => orm.close());
    const reads = createReadPool(config.DATABASE_URL, config.DATABASE_READ_POOL_MAX, logger);
    shutdown.add('read-pool', () => reads.close());
    if (config.RUN_MIGRATIONS) {
      const applied = await migrate(orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const connection = redisConnection(config);
    const redis = createRedis(connection, { logger, name: `${name}-main` });
    shutdown.add('redis', () => closeRedis(redis));
    const temporal = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
    shutdown.add('temporal-client', () => temporal.connection.close());
    const email = new BullEmailQueue(redis, bullPrefix(config));
    // The shared client already logs connection errors; without a listener BullMQ prints them again.
    email.queue.on('error', () => undefined);
    shutdown.add('email-queue', () => email.close());
    const webhooks = new BullWebhookQueue(redis, bullPrefix(config), webhookRetryPolicy(config));
    webhooks.queue.on('error', () => undefined);
    shutdown.add('webhook-queue', () => webhooks.close());
    const taskQueues = overrides.taskQueues ?? taskQueuesWithPrefix(config.TASK_QUEUE_PREFIX);
    const signer = new WorkflowSigner(config.WORKFLOW_SIGNING_KEY);
    const metrics = createAppMetrics();
    return {
      metrics,
      instanceId: `${name}-${randomUUID()}`,
      config,
      logger,
      orm,
      reads,
      redis,
      redisConnection: connection,
      lock: new DistributedLock(redis, `${config.REDIS_PREFIX}:lock`, { hashTagged: isCluster(connection) }),
      tokens: new TokenService(config.JWT_SECRET, config.JWT_TTL_SECONDS, {
        accountOf: (userId) => accountStatus(reads, userId),
      }),
      temporal,
      taskQueues,
      events: overrides.events ?? eventPublisherFor(redis, config),
      email,
      webhooks,
      kycProviders: kycProvidersFromConfig(config),
      kycCases: new KycCases(
        temporal,
        {
          taskQueue: taskQueues.compliance,
          providerDeadlineMs: config.KYC_PROVIDER_DEADLINE_MS,
          hardDeadlineMs: config.KYC_HARD_DEADLINE_MS,
          maxAttempts: config.KYC_MAX_ATTEMPTS,
        },
        signer,
        reads,
      ),
      binaryTrades: new BinaryTrades(temporal, taskQueues.trading, signer),
      amlChecks: new AmlChecks({
        orm,
        thresholds: amlThresholdsFromConfig(config),
        sanctions: () => loadSanctionsList(config.SANCTIONS_LIST_PATH),
        cooldownMs: config.AML_ALERT_COOLDOWN_MS,
        onFinding: (f) => metrics.business.amlFindings.inc({ rule: f.checkType, severity: f.severity }),
      }),
      amlCases: new AmlCases({
        temporal,
        orm,
        taskQueue: taskQueues.compliance,
        reminderIntervalMs: config.AML_REMINDER_INTERVAL_MS,
        logger,
        signer,
      }),
      shutdown,
    };
  } catch (err) {
    await shutdown.run('start-up failed');
    throw err;
  }
}
