import { Queue, type Worker } from 'bullmq';
import type { RedisClient } from '../kernel/redis/client';
import type { AppContext } from './context';
import { emailTransportFromConfig } from '../features/notifications/transports';
import type { EmailTransport } from '../features/notifications/transports/types';
import { simulatedVenuesFromSpec } from '../features/market/simulated-venues';
import { simulatedMarketFromConfig } from '../features/market';
import type { VenueQuoteSource } from '../features/market/venue';
import { closeRedis, createRedis } from '../kernel/redis/client';
import { bullPrefix } from '../kernel/redis/keys';
import { ArbitrageScanner, OpportunityStore, SpreadStats } from '../features/arbitrage/scanner';
import { AiArbitrageQueue, createAiWorker } from '../features/arbitrage/queue';
import { BullEmailQueue, type EmailJob } from '../features/notifications/email-queue';
import { createEmailWorker } from '../features/notifications/email-worker';
import { createWebhookWorker } from '../features/webhooks/worker';
import { webhookRetryPolicy } from '../features/webhooks/queue';
import { getAllQueueMetrics, type AllQueueMetrics, type QueueMetricsDeps } from '../features/monitoring/queue-metrics';
import { oldestPendingOutboxAgeSeconds } from '../kernel/outbox-relay';
import { QUEUE_NAMES } from '../kernel/queue-names';
import { recordJobMetrics } from '../features/monitoring/bullmq-job-metrics';

export { QUEUE_NAMES };

/** Producer-side queues of a process (metrics, dashboard, manual scans), one set per context. */
export interface QueueSet {
  email: Queue<EmailJob>;
  ai: AiArbitrageQueue;
}

const sets = new WeakMap<AppContext, QueueSet>();

export function queueSet(ctx: AppContext): QueueSet {
  let set = sets.get(ctx);
  if (!set) {
    const email =
      ctx.email instanceof BullEmailQueue
        ? ctx.email.queue
        : new Queue<EmailJob>(QUEUE_NAMES.email, { connection: ctx.redis, prefix: bullPrefix(ctx.config) });
    const ai = new AiArbitrageQueue(ctx.redis, bullPrefix(ctx.config));
    ai.queue.on('error', () => undefined);
    ctx.shutdown.add('ai-queue', () => ai.close());
    set = { email, ai };
    sets.set(ctx, set);
  }
  return set;
}

export function opportunityStore(ctx: AppContext): OpportunityStore {
  return new OpportunityStore(ctx.redis, ctx.config.REDIS_PREFIX, ctx.config.ARBITRAGE_OPPORTUNITY_TTL_SECONDS);
}

/** What the queue metrics read in this process: its queues, task queues and the outbox. */
export function queueMetricsDeps(ctx: AppContext): QueueMetricsDeps {
  const set = queueSet(ctx);
  return {
    queues: { email: set.email, ai: set.ai.queue },
    temporal: ctx.temporal,
    taskQueues: ctx.taskQueues,
    outboxAge: () => oldestPendingOutboxAgeSeconds(ctx.orm),
  };
}

/** getAllQueueMetrics() of the seed for this process's queues, task queues and outbox. */
export function allQueueMetrics(ctx: AppContext): Promise<AllQueueMetrics> {
  return getAllQueueMetrics(queueMetricsDeps(ctx));
}

/** The simulated venues of ARBITRAGE_VENUES, quoting around the deployment's simulated market. */
export function venuesFromConfig(config: AppContext['config']): VenueQuoteSource[] {
  return simulatedVenuesFromSpec(config.ARBITRAGE_VENUES, simulatedMarketFromConfig(config));
}

export interface QueueOverrides {
  emailTransport?: EmailTransport;
  venues?: VenueQuoteSource[];
  /** Start only these workers (default all three). */
  workers?: ('email' | 'ai' | 'webhook')[];
}

export interface RunningQueues {
  workers: Worker[];
  emailWorker?: Worker;
  aiWorker?: Worker;
  webhookWorker?: Worker;
  /** Graceful: stop taking jobs, let active ones finish, then close the transport and Redis. */
  close(): Promise<void>;
}

/**
 * initQueues() of the seed: starts the BullMQ workers of this process and registers the recurring
 * AI scan. Closing is registered with ctx.shutdown (before Redis and the ORM close); it is also
 * returned as `close`.
 */
export async function initQueues(ctx: AppContext, overrides: QueueOverrides = {}): Promise<RunningQueues> {
  const { config, logger } = ctx;
  const which = overrides.workers ?? ['email', 'ai', 'webhook'];
  // Workers block on Redis: their connection must not give up on a command (maxRetriesPerRequest null).
  const connection: RedisClient = createRedis(ctx.redisConnection, {
    logger,
    name: 'bullmq-workers',
    maxRetriesPerRequest: null,
  });
  const transport = overrides.emailTransport ?? emailTransportFromConfig(config, logger);
  const workers: Worker[] = [];
  let emailWorker: Worker | undefined;
  let aiWorker: Worker | undefined;
  let webhookWorker: Worker | undefined;

  if (which.includes('email')) {
    emailWorker = createEmailWorker({
      connection,
      prefix: bullPrefix(config),
      transport,
      from: config.EMAIL_FROM,
      concurrency: config.EMAIL_CONCURRENCY,
      limiter: { max: config.EMAIL_RATE_MAX, duration: config.EMAIL_RATE_DURATION_MS },
      logger,
    });
    workers.push(emailWorker);
  }
  if (which.includes('ai')) {
    const scanner = new ArbitrageScanner({
      venues: overrides.venues ?? venuesFromConfig(config),
      stats: new SpreadStats(ctx.redis, config.REDIS_PREFIX),
      store: opportunityStore(ctx),
      events: ctx.events,
      logger,
    });
    aiWorker = createAiWorker({
      connection,
      prefix: bullPrefix(config),
      scanner,
      symbols: config.SYMBOLS,
      limiter: { max: config.AI_SCAN_RATE_MAX, duration: config.AI_SCAN_RATE_DURATION_MS },
      logger,
    });
    workers.push(aiWorker);
    if (config.AI_SCAN_SCHEDULE) await queueSet(ctx).ai.scheduleRecurringAIScans(config.AI_SCAN_INTERVAL_MS);
  }
  if (which.includes('webhook')) {
    webhookWorker = createWebhookWorker({
      connection,
      prefix: bullPrefix(config),
      orm: ctx.orm,
      policy: webhookRetryPolicy(config),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      logger,
    });
    workers.push(webhookWorker);
  }

  for (const w of workers) recordJobMetrics(w, ctx.metrics.jobs);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Worker.close() waits for active jobs to finish; jobs not started stay waiting in Redis.
      await Promise.all(workers.map((w) => w.close()));
      await transport.close?.();
      await closeRedis(connection);
    })());
  ctx.shutdown.add('bullmq-workers', close);
  logger.info({ workers: which, emailTransport: transport.name }, 'queue workers running');
  return { workers, emailWorker, aiWorker, webhookWorker, close };
}
