import { z } from 'zod';
import { timestamp } from '../openapi/responses';

export const wallet = z.object({
  balance: z.int().describe('minor units'),
  balanceFormatted: z.string(),
  currency: z.string().length(3),
  locked: z.boolean(),
  lockedReason: z.string().nullable(),
});

/** A deposit or withdrawal (201, and the same again for a replayed Idempotency-Key). */
export const moneyMovement = z.object({
  transactionId: z.uuid(),
  kind: z.enum(['deposit', 'withdrawal']),
  amount: z.int().describe('minor units'),
  balance: z.int().describe('minor units, after the movement'),
  createdAt: timestamp,
});
