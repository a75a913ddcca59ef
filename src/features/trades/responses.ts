import { z } from 'zod';
import { timestamp } from '../openapi/responses';

/** POST /trades: the recorded spot trade. */
export const spotTrade = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  symbol: z.string(),
  side: z.enum(['BUY', 'SELL']),
  quantity: z.string().describe('decimal, up to 8 decimals'),
  price: z.int().describe('minor units per unit'),
  notional: z.int().describe('minor units'),
  executedAt: timestamp,
});
