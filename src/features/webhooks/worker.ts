import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../../kernel/redis/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../kernel/logger';
import { QUEUE_NAMES } from '../../kernel/queue-names';
import type { WebhookJob } from './queue';
import { loadDeliveryTarget, recordAttempt } from './repository';
import { isDelivered, webhookBackoffMs, type WebhookRetryPolicy } from './rules';
import { postWebhook, type SendResult } from './sender';
import { SIGNATURE_HEADER, signatureHeader } from './signing';

export interface WebhookWorkerDeps {
  /** A connection with maxRetriesPerRequest: null (BullMQ workers block on Redis). */
  connection: RedisClient;
  prefix: string;
  orm: MikroORM;
  policy: WebhookRetryPolicy;
  timeoutMs: number;
  allowPrivate: boolean;
  concurrency: number;
  logger: Logger;
  /** Test seam: the clock of the signature timestamp. */
  now?: () => number;
}

export const USER_AGENT = 'compliance-backend-webhooks/1';

/**
 * The `webhook-deliveries` worker: one attempt per run. Each attempt signs the stored body anew
 * (a fresh `t`, every secret valid now), POSTs it, and logs the attempt (status, latency, error)
 * with the delivery's new state in one transaction. A non-2xx answer or a network error is retried
 * with the policy's capped exponential backoff until the last attempt (about 24 h); a refused
 * address or a disabled endpoint fails the delivery at once.
 */
export function createWebhookWorker(deps: WebhookWorkerDeps): Worker<WebhookJob> {
  const log = deps.logger.child({ queue: QUEUE_NAMES.webhooks });
  const now = deps.now ?? Date.now;
  const worker = new Worker<WebhookJob>(
    QUEUE_NAMES.webhooks,
    async (job: Job<WebhookJob>) => {
      const em = deps.orm.em.fork();
      const target = await loadDeliveryTarget(em, job.data.deliveryId);
      if (!target) throw new UnrecoverableError(`webhook delivery ${job.data.deliveryId} not found`);
      // A job added again after its delivery finished (not a redelivery) sends nothing.
      if (job.data.redelivery === undefined && (target.status === 'DELIVERED' || target.status === 'FAILED')) {
        return { skipped: target.status };
      }
      const startedAt = new Date(now());
      let result: SendResult;
      if (!target.enabled) {
        result = { statusCode: null, latencyMs: 0, error: 'endpoint disabled', responseExcerpt: null, permanent: true };
      } else {
        const t = Math.floor(startedAt.getTime() / 1000);
        result = await postWebhook(
          target.url,
          target.body,
          {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            [SIGNATURE_HEADER]: signatureHeader(target.body, target.secrets, t),
            'x-webhook-id': target.eventId,
            'x-webhook-event': target.eventType,
            'x-webhook-delivery': target.deliveryId,
            'x-webhook-attempt': String(target.attempts + 1),
          },
          { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivate },
        );
      }
      const delivered = isDelivered(result.statusCode);
      const last = result.permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const retryInMs = webhookBackoffMs(job.attemptsMade + 1, deps.policy);
      const attempt = await recordAttempt(
        em,
        target.deliveryId,
        {
          jobId: job.id ?? null,
          startedAt,
          latencyMs: result.latencyMs,
          statusCode: result.statusCode,
          succeeded: delivered,
          error: result.error,
          responseExcerpt: result.responseExcerpt,
        },
        delivered
          ? { status: 'DELIVERED', nextAttemptAt: null }
          : last
            ? { status: 'FAILED', nextAttemptAt: null }
            : { status: 'RETRYING', nextAttemptAt: new Date(Date.now() + retryInMs) },
      );
      if (delivered) return { statusCode: result.statusCode, attempt, latencyMs: result.latencyMs };
      const message = `attempt ${attempt} to ${target.url}: ${result.error}`;
      throw result.permanent ? new UnrecoverableError(message) : new Error(message);
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => webhookBackoffMs(attemptsMade, deps.policy) },
      metrics: { maxDataPoints: 60 * 24 * 7 },
    },
  );
  worker.on('failed', (job, err) =>
    log.warn(
      { jobId: job?.id, deliveryId: job?.data.deliveryId, attemptsMade: job?.attemptsMade, err: err.message },
      'webhook delivery attempt failed',
    ),
  );
  worker.on('error', (err) => log.error({ err: err.message }, 'webhook worker error'));
  return worker;
}
