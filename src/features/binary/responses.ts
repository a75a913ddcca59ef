import { z } from 'zod';
import { timestamp } from '../openapi/responses';

export const binaryTrade = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  symbol: z.string(),
  direction: z.enum(['UP', 'DOWN']),
  stake: z.int().describe('minor units'),
  payoutRateBps: z.int(),
  openPrice: z.int().describe('minor units'),
  closePrice: z.int().nullable(),
  payout: z.int().nullable(),
  status: z.enum(['OPEN', 'WON', 'LOST', 'TIE', 'SETTLEMENT_FAILED']),
  openedAt: timestamp,
  expiresAt: timestamp,
  settledAt: timestamp.nullable(),
});
/** POST /binary/open answers the trade plus its payout rate as a fraction. */
export const openedTrade = binaryTrade.extend({ payoutRate: z.number() }).loose();
export const binaryTradePage = z.object({ items: z.array(binaryTrade), total: z.int() }).loose();
export const settlementRetry = z.object({ tradeId: z.uuid(), retry: z.literal('requested') });
