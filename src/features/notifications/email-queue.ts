import { outboxDeliveryId, type OutboxConsumer, type OutboxMessage } from '../../kernel/outbox';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { RedisClient } from '../../kernel/redis/client';
import { QUEUE_NAMES } from '../../kernel/queue-names';

export type EmailTemplate =
  'welcome' | 'kyc-approved' | 'kyc-rejected' | 'withdrawal-approved' | 'account-frozen' | 'account-unfrozen';

export interface EmailJob {
  template: EmailTemplate;
  to: string;
  data: Record<string, string | number | null | undefined>;
}

/**
 * Enqueues emails. `jobId` must be deterministic for the business event (e.g. `kyc-approved-<userId>`)
 * so a retried activity never sends twice; BullMQ ignores an add with an existing id.
 * BullMQ job ids may not contain ':' nor be all digits.
 */
export interface EmailQueue {
  enqueue(job: EmailJob, jobId: string): Promise<void>;
}

export const safeJobId = (id: string) => {
  const cleaned = id.replace(/:/g, '-');
  return /^\d+$/.test(cleaned) ? `j-${cleaned}` : cleaned;
};

/** Seed settings of `email-notifications`: 5 attempts, exponential from 3 s, keep 24 h / 7 days. */
export const EMAIL_JOB_DEFAULTS = {
  attempts: 5,
  backoffMs: 3000,
  keepCompletedSeconds: 24 * 3600,
  keepFailedSeconds: 7 * 24 * 3600,
} as const;

export interface EmailQueueOptions {
  attempts?: number;
  /** First retry delay; BullMQ doubles it each attempt. */
  backoffMs?: number;
}

export class BullEmailQueue implements EmailQueue {
  readonly queue: Queue<EmailJob>;

  constructor(connection: RedisClient, prefix: string, options: EmailQueueOptions = {}) {
    this.queue = new Queue<EmailJob>(QUEUE_NAMES.email, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: options.attempts ?? EMAIL_JOB_DEFAULTS.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs ?? EMAIL_JOB_DEFAULTS.backoffMs },
        removeOnComplete: { age: EMAIL_JOB_DEFAULTS.keepCompletedSeconds },
        removeOnFail: { age: EMAIL_JOB_DEFAULTS.keepFailedSeconds },
      },
    });
  }

  async enqueue(job: EmailJob, jobId: string): Promise<void> {
    await this.queue.add(job.template, job, { jobId: safeJobId(jobId) });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/**
 * The seed's helpers. Each takes an optional deterministic `jobId`: a caller that may run twice
 * for one business event (a Temporal activity retry, a repeated request) passes one derived from
 * the event, and the email is sent once. Without one, every call is a new email.
 */
export function emailHelpers(queue: EmailQueue) {
  const send = (job: EmailJob, jobId?: string) => queue.enqueue(job, jobId ?? `email-${randomUUID()}`);
  return {
    sendWelcomeEmail: (email: string, name: string, jobId?: string) =>
      send({ template: 'welcome', to: email, data: { name } }, jobId),
    sendKYCApprovalEmail: (email: string, name: string, jobId?: string) =>
      send({ template: 'kyc-approved', to: email, data: { name } }, jobId),
    sendKYCRejectionEmail: (email: string, name: string, reason: string, jobId?: string) =>
      send({ template: 'kyc-rejected', to: email, data: { name, reason } }, jobId),
    /** `amount` as the user should read it, e.g. formatMinor(cents) plus a currency. */
    sendWithdrawalApprovalEmail: (email: string, amount: string | number, jobId?: string) =>
      send({ template: 'withdrawal-approved', to: email, data: { amount } }, jobId),
    sendAccountFrozenEmail: (email: string, reason: string, jobId?: string) =>
      send({ template: 'account-frozen', to: email, data: { reason } }, jobId),
  };
}

export type EmailHelpers = ReturnType<typeof emailHelpers>;

/** Outbox topic of emails: written with the change they tell the user about, enqueued by the relay. */
export const EMAIL_TOPIC = 'email';

/** An email as an outbox message; `key` (e.g. `withdrawal-<txId>`) also becomes its BullMQ job id. */
export const emailMessage = (job: EmailJob, key?: string): OutboxMessage<EmailJob> => ({
  topic: EMAIL_TOPIC,
  payload: job,
  key,
});

/** Enqueues a stored email with a job id derived from the record: a redelivery adds no second job. */
export const emailConsumer =
  (queue: EmailQueue): OutboxConsumer =>
  (record) =>
    queue.enqueue(record.payload as EmailJob, outboxDeliveryId(record));
