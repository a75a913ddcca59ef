import { z } from 'zod';
import { timestamp } from '../openapi/responses';

export const health = z.object({ status: z.literal('ok') });
/** GET /ready when every dependency answers; otherwise 503 with the error shape. */
export const ready = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('up')) });

const bullQueueCounts = z.object({
  waiting: z.int(),
  active: z.int(),
  completed: z.int(),
  failed: z.int(),
  delayed: z.int(),
});
const workflowCounts = z.object({ running: z.int(), completed: z.int(), failed: z.int() });
/** GET /admin/queues/metrics (getAllQueueMetrics). */
export const queueMetrics = z.object({
  email: bullQueueCounts,
  ai: bullQueueCounts,
  binary: workflowCounts,
  kyc: workflowCounts,
  aml: workflowCounts,
  outbox: z.object({
    oldestPendingAgeSeconds: z
      .number()
      .describe('Seconds since the oldest outbox row still waiting for the relay was written (0: none waiting)'),
  }),
  timestamp,
});
