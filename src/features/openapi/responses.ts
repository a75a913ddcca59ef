import { z } from 'zod';

/**
 * Response shapes documented in /openapi.json. Written from what the handlers return (the use
 * cases' views); test/integration/openapi.test.ts checks real responses against the document, so
 * a shape that drifts from the code fails there.
 */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

export const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(['USER', 'ADMIN', 'MASTER']),
  status: z.string(),
  country: z.string(),
  kycStatus: z.string(),
  createdAt: z.string(),
});

export const authResult = z.object({ user: publicUser, token: z.string() });
export const meResult = z.object({ user: publicUser });

export const wallet = z
  .object({
    balance: z.int().describe('minor units'),
    balanceFormatted: z.string(),
    currency: z.string().length(3),
    locked: z.boolean(),
  })
  .loose();

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
  openedAt: z.string(),
  expiresAt: z.string(),
  settledAt: z.string().nullable(),
});
/** POST /binary/open answers the trade plus its payout rate as a fraction. */
export const openedTrade = binaryTrade.extend({ payoutRate: z.number() }).loose();
export const binaryTradePage = z.object({ items: z.array(binaryTrade), total: z.int() }).loose();

export const eventsPage = z.object({
  events: z.array(
    z.object({
      event: z.string(),
      payload: z
        .object({
          eventId: z.string(),
          seq: z.int().min(1),
          currency: z.string().optional(),
          scale: z.int().optional(),
        })
        .loose(),
    }),
  ),
  lastSeq: z.int().min(0),
  truncated: z.boolean(),
});

export const health = z.object({ status: z.string() }).loose();
