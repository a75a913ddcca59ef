import { UnrecoverableError, Worker, type Job, type RateLimiterOptions } from 'bullmq';
import type { RedisClient } from '../../kernel/redis/client';
import type { Logger } from '../../kernel/logger';
import { EmailSendError, type EmailTransport } from './transports/types';
import { renderEmail } from './templates';
import type { EmailJob } from './email-queue';
import { QUEUE_NAMES } from '../../kernel/queue-names';

export interface EmailWorkerDeps {
  /** A connection with maxRetriesPerRequest: null (BullMQ workers block on Redis). */
  connection: RedisClient;
  prefix: string;
  transport: EmailTransport;
  from: string;
  /** Seed: 10. */
  concurrency: number;
  /** Seed: 100 per minute; global across every worker of the queue. */
  limiter: RateLimiterOptions;
  logger: Logger;
}

/**
 * The `email-notifications` worker. A permanent transport failure (or a job that cannot be
 * rendered) throws BullMQ's UnrecoverableError: the job fails at once, without using up its
 * attempts; anything else is retried with the queue's exponential backoff.
 */
export function createEmailWorker(deps: EmailWorkerDeps): Worker<EmailJob> {
  const log = deps.logger.child({ queue: QUEUE_NAMES.email });
  const worker = new Worker<EmailJob>(
    QUEUE_NAMES.email,
    async (job: Job<EmailJob>) => {
      let rendered;
      try {
        if (!job.data?.to || typeof job.data.to !== 'string') throw new Error('job has no recipient');
        rendered = renderEmail(job.data);
      } catch (err) {
        throw new UnrecoverableError(`cannot render email: ${(err as Error).message}`);
      }
      try {
        const result = await deps.transport.send({
          ...rendered,
          to: job.data.to,
          from: deps.from,
          idempotencyKey: job.id,
        });
        return { transport: deps.transport.name, messageId: result.messageId ?? null };
      } catch (err) {
        if (err instanceof EmailSendError && err.permanent) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      limiter: deps.limiter,
      // Per-minute completed/failed counts in Redis, read by getMetrics() for /metrics.
      metrics: { maxDataPoints: 60 * 24 * 7 },
    },
  );
  worker.on('failed', (job, err) =>
    log.warn(
      { jobId: job?.id, template: job?.data.template, attemptsMade: job?.attemptsMade, err: err.message },
      'email job failed',
    ),
  );
  worker.on('error', (err) => log.error({ err: err.message }, 'email worker error'));
  return worker;
}
