import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import type { Config } from '../../kernel/config';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { BINARY_STATUSES, DIRECTIONS } from './rules';
import { AppError } from '../../kernel/errors';
import { parseMinor, unitsToMinor } from '../../kernel/money';
import { assertCanTrade } from '../wallet/account-state';
import { findTrade, listTrades } from './use-cases';
import { tradeIdFor, type BinaryTrades } from './client';
import { idempotencyKeyFrom, idempotent } from '../../kernel/idempotency';
import { authenticate, principalOf, requireRole } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';
import type { settlementRetry } from './responses';

export interface BinaryRouterDeps {
  tokens: TokenService;
  trades: BinaryTrades;
  config: Pick<
    Config,
    | 'SYMBOLS'
    | 'BINARY_MIN_STAKE'
    | 'MAX_TRADE_SIZE'
    | 'BINARY_MIN_EXPIRY_SECONDS'
    | 'BINARY_MAX_EXPIRY_SECONDS'
    | 'BINARY_PAYOUT_RATE_BPS'
  >;
}

/** What POST /binary/open and GET /binary accept, under this deployment's limits. */
export function binarySchemas(c: BinaryRouterDeps['config']) {
  const openBody = z.object({
    symbol: z.enum(c.SYMBOLS as [string, ...string[]], { message: `symbol must be one of ${c.SYMBOLS.join(', ')}` }),
    direction: z.enum(DIRECTIONS),
    stake: z.union([z.string(), z.number()]),
    expiry: z
      .number()
      .int()
      .min(c.BINARY_MIN_EXPIRY_SECONDS, `expiry must be at least ${c.BINARY_MIN_EXPIRY_SECONDS} s`)
      .max(c.BINARY_MAX_EXPIRY_SECONDS, `expiry must be at most ${c.BINARY_MAX_EXPIRY_SECONDS} s`),
  });
  const listQuery = z.object({
    status: z.enum(BINARY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).default(0),
  });
  return { openBody, listQuery };
}

export function createBinaryRouter(deps: BinaryRouterDeps) {
  const router = new Router({ prefix: '/binary' });
  const c = deps.config;
  const minStake = unitsToMinor(c.BINARY_MIN_STAKE);
  const maxStake = unitsToMinor(c.MAX_TRADE_SIZE);

  const { openBody, listQuery } = binarySchemas(c);

  router.post('/open', authenticate(deps.tokens), async (ctx) => {
    const { userId } = principalOf(ctx);
    const body = validate(openBody, ctx.request.body, 'binary trade');
    const stake = parseMinor(body.stake, 'stake');
    if (stake < minStake || stake > maxStake) {
      throw new AppError('VALIDATION_FAILED', `stake must be between ${c.BINARY_MIN_STAKE} and ${c.MAX_TRADE_SIZE}`, [
        { path: ['stake'], message: 'out of limits' },
      ]);
    }
    const em = emOf(ctx);
    // Checked here for a clear answer; checked again inside the opening transaction.
    await assertCanTrade(em, userId);
    const key = ctx.get('idempotency-key') ? idempotencyKeyFrom(ctx.get('idempotency-key')) : undefined;
    const open = async () => {
      const tradeId = key ? tradeIdFor(userId, key) : crypto.randomUUID();
      const trade = await deps.trades.open({
        tradeId,
        userId,
        symbol: body.symbol,
        direction: body.direction,
        stake,
        payoutRateBps: c.BINARY_PAYOUT_RATE_BPS,
        expirySeconds: body.expiry,
      });
      return { status: 201, body: { ...trade, payoutRate: trade.payoutRateBps / 10_000 } };
    };
    const response = key
      ? await idempotent(em, { scope: `binary-open:${userId}`, key, request: { ...body, stake } }, open)
      : await open();
    ctx.status = response.status;
    ctx.body = response.body;
  });

  router.get('/', authenticate(deps.tokens), async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    ctx.body = await listTrades(emOf(ctx), principalOf(ctx).userId, q.status, q.limit, q.offset);
  });

  router.get('/:id', authenticate(deps.tokens), async (ctx) => {
    const { id } = validate(z.object({ id: z.uuid() }), ctx.params, 'path');
    const principal = principalOf(ctx);
    const trade = await findTrade(emOf(ctx), id);
    // Another user's trade is indistinguishable from a missing one.
    if (!trade || (trade.userId !== principal.userId && !ADMIN_ROLES.includes(principal.role))) {
      throw new AppError('NOT_FOUND', 'binary trade not found');
    }
    ctx.body = trade;
  });

  router.post('/admin/:id/retry-settlement', authenticate(deps.tokens), requireRole(ADMIN_ROLES), async (ctx) => {
    const { id } = validate(z.object({ id: z.uuid() }), ctx.params, 'path');
    await deps.trades.retrySettlement(emOf(ctx), id, principalOf(ctx).userId);
    ctx.status = 202;
    ctx.body = { tradeId: id, retry: 'requested' } satisfies z.output<typeof settlementRetry>;
  });

  return router;
}
