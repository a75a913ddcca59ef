/**
 * Pure decisions of outbound webhook delivery: the retry schedule and what counts as delivered.
 */

export interface WebhookRetryPolicy {
  /** Delay before the first retry; each later retry waits twice as long... */
  baseMs: number;
  /** ...but never longer than this. */
  maxMs: number;
  /** Retries go on until one starts at least this long after the first attempt. */
  windowMs: number;
}

/** Safety bound on the attempts a (mis)configured policy can produce. */
export const MAX_WEBHOOK_ATTEMPTS = 1000;

/** Delay before retry number `retry` (1 = the first retry, after the first attempt failed). */
export const webhookBackoffMs = (retry: number, p: Pick<WebhookRetryPolicy, 'baseMs' | 'maxMs'>): number =>
  Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, retry - 1));

/**
 * The whole schedule: exponential delays capped at `maxMs`, as many retries as it takes for the
 * last one to start `windowMs` after the first attempt. Defaults (30 s doubling to 1 h, 24 h):
 * 31 attempts, the last about 24 h 4 min after the first.
 */
export function webhookRetrySchedule(p: WebhookRetryPolicy): { attempts: number; delaysMs: number[]; spanMs: number } {
  const delaysMs: number[] = [];
  let spanMs = 0;
  while (spanMs < p.windowMs && delaysMs.length + 1 < MAX_WEBHOOK_ATTEMPTS) {
    const d = webhookBackoffMs(delaysMs.length + 1, p);
    delaysMs.push(d);
    spanMs += d;
  }
  return { attempts: delaysMs.length + 1, delaysMs, spanMs };
}

/** A delivery succeeded when the receiver answered 2xx; anything else (3xx included: redirects are not followed) is retried. */
export const isDelivered = (statusCode: number | null): boolean =>
  statusCode !== null && statusCode >= 200 && statusCode < 300;

export const DELIVERY_STATUSES = ['PENDING', 'RETRYING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
