import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { parsePositiveMinor } from '../../kernel/money';
import { recordSpotTrade } from './use-cases';
import type { AmlGate } from '../aml/gate';
import { authenticate, principalOf } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';

export interface TradesRouterDeps {
  tokens: TokenService;
  symbols: string[];
  aml: AmlGate;
}

/** What POST /trades accepts. */
export function tradeBody(symbols: readonly string[]) {
  return z.object({
    symbol: z.enum(symbols as [string, ...string[]]),
    side: z.enum(['BUY', 'SELL']),
    quantity: z
      .union([z.string(), z.number()])
      .transform(String)
      .refine(
        (q) => /^(0|[1-9]\d{0,8})(\.\d{1,8})?$/.test(q) && Number(q) > 0,
        'quantity must be > 0 and below 10^9, with at most 8 decimals',
      ),
    price: z.union([z.string(), z.number()]),
  });
}

/** POST /trades records an executed spot trade (execution itself happens elsewhere). */
export function createTradesRouter(deps: TradesRouterDeps) {
  const router = new Router({ prefix: '/trades' });
  const body = tradeBody(deps.symbols);

  router.post('/', authenticate(deps.tokens), async (ctx) => {
    const input = validate(body, ctx.request.body, 'trade');
    const { userId } = principalOf(ctx);
    const price = parsePositiveMinor(input.price, 'price');
    const trade = await recordSpotTrade(emOf(ctx), deps.aml, {
      userId,
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      price,
    });
    ctx.status = 201;
    ctx.body = trade;
  });
  return router;
}
