import '../../kernel/http/koa-types';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { parsePositiveMinor } from '../../kernel/money';
import { idempotencyKeyFrom, idempotent } from '../../kernel/idempotency';
import { deposit, getWallet, withdraw } from './use-cases';
import type { AmlGate } from '../aml/gate';
import type { ReadDb } from '../../kernel/db/read-pool';
import { authenticate, principalOf } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';

export interface WalletRouterDeps {
  tokens: TokenService;
  /** The AML decision each movement takes inside its transaction. */
  aml: AmlGate;
  /** The balance read (no ORM on the hot read path). */
  reads: ReadDb;
}

export const amountBody = z.object({ amount: z.union([z.string(), z.number()]) });

/** Parse, call the use case, shape the answer: the balance event, email and AML run are the use case's. */
export function createWalletRouter(deps: WalletRouterDeps) {
  const router = new Router({ prefix: '/wallet' });
  router.use(authenticate(deps.tokens));

  router.get('/', async (ctx) => {
    ctx.body = await getWallet(deps.reads, principalOf(ctx).userId);
  });

  const move = (kind: 'deposit' | 'withdrawal') => async (ctx: Context) => {
    const { userId } = principalOf(ctx);
    const key = idempotencyKeyFrom(ctx.get('idempotency-key'));
    const body = validate(amountBody, ctx.request.body, kind);
    const amount = parsePositiveMinor(body.amount, 'amount');
    const em = emOf(ctx);
    const response = await idempotent(em, { scope: `${kind}:${userId}`, key, request: { amount } }, async () => {
      const result =
        kind === 'deposit'
          ? await deposit(em, deps.aml, userId, amount, key)
          : await withdraw(em, deps.aml, userId, amount, key);
      return { status: 201, body: result };
    });
    ctx.status = response.status;
    ctx.body = response.body;
  };

  router.post('/deposit', move('deposit'));
  router.post('/withdraw', move('withdrawal'));
  return router;
}
