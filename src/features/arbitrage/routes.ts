import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import type { AiArbitrageQueue } from './queue';
import type { OpportunityStore } from './scanner';
import { authenticate, requireRole } from '../auth/middleware';
import { validate } from '../../kernel/http/validate';
import type { scanQueued } from './responses';

export interface ArbitrageRouterDeps {
  tokens: TokenService;
  store: OpportunityStore;
  queue: () => AiArbitrageQueue;
  symbols: string[];
}

export const listQuery = z.object({
  symbol: z
    .string()
    .regex(/^[A-Z0-9]{2,20}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const scanBody = z.object({
  symbols: z
    .array(z.string().regex(/^[A-Z0-9]{2,20}$/))
    .min(1)
    .max(50)
    .optional(),
});

export function createArbitrageRouter(deps: ArbitrageRouterDeps) {
  const router = new Router({ prefix: '/arbitrage' });

  /** Live opportunities (they expire after ARBITRAGE_OPPORTUNITY_TTL_SECONDS), newest first. */
  router.get('/opportunities', authenticate(deps.tokens), async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    ctx.body = { opportunities: await deps.store.list({ symbol: q.symbol, limit: q.limit }) };
  });

  /** A manual scan (the seed's scheduleAIScan), for staff. */
  router.post('/scan', authenticate(deps.tokens), requireRole(['ADMIN', 'MASTER']), async (ctx) => {
    const body = validate(scanBody, ctx.request.body, 'scan');
    const job = await deps.queue().scheduleAIScan({ symbols: body.symbols ?? deps.symbols });
    ctx.status = 202;
    ctx.body = { jobId: job.id! } satisfies z.output<typeof scanQueued>;
  });

  return router;
}
