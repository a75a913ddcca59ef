import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type Redis from 'ioredis';
import { TokenService } from '../features/auth/tokens';
import type { Config } from '../kernel/config';
import { createOrm, migrate } from '../kernel/db/orm';
import { createLogger, type Logger } from '../kernel/logger';
import { closeRedis, createRedis } from '../kernel/redis/client';
import { DistributedLock } from '../kernel/redis/distributed-lock';
import { connectClient } from '../kernel/temporal/connection';
import { TASK_QUEUES } from '../kernel/temporal/task-queues';
import type { TaskQueues } from '../kernel/temporal/worker';
import { BullEmailQueue, type EmailQueue } from '../features/notifications/email-queue';
import { RedisEmitterPublisher } from '../features/realtime/emitter-publisher';
import type { EventPublisher } from '../features/realtime/events';
import type { ActivityObserver } from '../features/wallet/account-state';
import { createAmlEngine, type AmlEngine } from '../features/aml/engine';
import { Shutdown } from './shutdown';

/**
 * The shared infrastructure of one process, built once by an entry point and passed down.
 * Features take the parts they need from it; nothing reaches for a module-level singleton.
 */
export interface AppContext {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  lock: DistributedLock;
  tokens: TokenService;
  temporal: Client;
  taskQueues: TaskQueues;
  /** Live events to Socket.IO rooms on every instance. */
  events: EventPublisher;
  /** Email jobs (BullMQ `email-notifications`). */
  email: EmailQueue;
  /** The AML rules engine (runAMLChecks, freeze cases). */
  aml: AmlEngine;
  /** Told after every deposit, withdrawal and trade: the AML engine. */
  activityObserver: ActivityObserver;
  shutdown: Shutdown;
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
  const shutdown = new Shutdown(logger);
  try {
    const orm = await createOrm(config.DATABASE_URL, logger);
    shutdown.add('orm', () => orm.close());
    if (config.RUN_MIGRATIONS) {
      const applied = await migrate(orm);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    }
    const redis = createRedis(config.REDIS_URL, { logger, name: `${name}-main` });
    shutdown.add('redis', () => closeRedis(redis));
    const temporal = await connectClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE });
    shutdown.add('temporal-client', () => temporal.connection.close());
    const email = new BullEmailQueue(redis, config.REDIS_PREFIX);
    // The shared client already logs connection errors; without a listener BullMQ prints them again.
    email.queue.on('error', () => undefined);
    shutdown.add('email-queue', () => email.close());
    const taskQueues = overrides.taskQueues ?? TASK_QUEUES;
    const aml = createAmlEngine({ config, orm, temporal, taskQueue: taskQueues.compliance, logger });
    return {
      config,
      logger,
      orm,
      redis,
      lock: new DistributedLock(redis, `${config.REDIS_PREFIX}:lock`),
      tokens: new TokenService(config.JWT_SECRET, config.JWT_TTL_SECONDS),
      temporal,
      taskQueues,
      events: overrides.events ?? new RedisEmitterPublisher(redis, config.REDIS_PREFIX),
      email,
      aml,
      activityObserver: aml,
      shutdown,
    };
  } catch (err) {
    await shutdown.run('start-up failed');
    throw err;
  }
}
