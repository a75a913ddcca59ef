import { Queue } from 'bullmq';
import type { RedisClient } from '../../kernel/redis/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../kernel/config';
import type { OutboxConsumer } from '../../kernel/outbox';
import { QUEUE_NAMES } from '../../kernel/queue-names';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from './events';
import { storeEventDeliveries } from './repository';
import { webhookRetrySchedule, type WebhookRetryPolicy } from './rules';

/** The delivery retry policy of WEBHOOK_BACKOFF_BASE_MS, WEBHOOK_BACKOFF_MAX_MS and WEBHOOK_RETRY_WINDOW_MS. */
export const webhookRetryPolicy = (
  c: Pick<Config, 'WEBHOOK_BACKOFF_BASE_MS' | 'WEBHOOK_BACKOFF_MAX_MS' | 'WEBHOOK_RETRY_WINDOW_MS'>,
): WebhookRetryPolicy => ({
  baseMs: c.WEBHOOK_BACKOFF_BASE_MS,
  maxMs: c.WEBHOOK_BACKOFF_MAX_MS,
  windowMs: c.WEBHOOK_RETRY_WINDOW_MS,
});

export interface WebhookJob {
  deliveryId: string;
  /** Set on a redelivery (its number): the job runs even though the delivery was finished. */
  redelivery?: number;
}

/** BullMQ backoff type of delivery jobs; the worker supplies the strategy (rules.ts). */
export const WEBHOOK_BACKOFF_TYPE = 'webhook';

/** One job per event and endpoint: a relay that hands the same record over twice adds no second job. */
export const deliveryJobId = (eventId: string, endpointId: string) => `wh-${eventId}-${endpointId}`;
export const redeliveryJobId = (deliveryId: string, n: number) => `wh-${deliveryId}-redelivery-${n}`;

/** Producer side of `webhook-deliveries`: attempts and backoff follow the retry policy (about 24 h). */
export class BullWebhookQueue {
  readonly queue: Queue<WebhookJob>;
  readonly attempts: number;

  constructor(connection: RedisClient, prefix: string, policy: WebhookRetryPolicy) {
    this.attempts = webhookRetrySchedule(policy).attempts;
    this.queue = new Queue<WebhookJob>(QUEUE_NAMES.webhooks, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: this.attempts,
        backoff: { type: WEBHOOK_BACKOFF_TYPE },
        // The deliveries table is the record; jobs are kept long enough to dedupe relay retries.
        removeOnComplete: { age: 2 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  async enqueue(job: WebhookJob, jobId: string): Promise<void> {
    await this.queue.add('deliver', job, { jobId });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

const isWebhookEvent = (p: unknown): p is WebhookEvent => {
  const e = p as Partial<WebhookEvent> | null;
  return (
    !!e &&
    typeof e.id === 'string' &&
    typeof e.createdAt === 'string' &&
    WEBHOOK_EVENT_TYPES.includes(e.type as never) &&
    typeof e.data === 'object'
  );
};

/**
 * The outbox consumer of `webhook-event`: stores the event and one delivery per subscribed,
 * enabled endpoint, then adds one job per delivery with a stable id. Idempotent by event id.
 */
export const webhookConsumer =
  (deps: { orm: MikroORM; queue: Pick<BullWebhookQueue, 'enqueue'> }): OutboxConsumer =>
  async (record) => {
    if (!isWebhookEvent(record.payload)) throw new Error(`outbox record ${record.id} is not a webhook event`);
    const event = record.payload;
    const pending = await storeEventDeliveries(deps.orm.em.fork(), event);
    for (const d of pending)
      await deps.queue.enqueue({ deliveryId: d.deliveryId }, deliveryJobId(event.id, d.endpointId));
  };
