import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { QUEUE_NAMES } from './names';

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

export class BullEmailQueue implements EmailQueue {
  readonly queue: Queue<EmailJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<EmailJob>(QUEUE_NAMES.email, {
      connection,
      prefix,
      // Seed settings: 5 attempts, exponential from 3 s, keep completed 24 h and failed 7 days.
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 3000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
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
