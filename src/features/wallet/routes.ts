import '../../kernel/http/koa-types';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { formatMinor, parsePositiveMinor } from '../../kernel/money';
import type { EmailQueue } from '../notifications/email-queue';
import { userRoom, type EventPublisher } from '../realtime/events';
import type { ActivityObserver } from './account-state';
import { idempotencyKeyFrom, idempotent } from '../../kernel/idempotency';
import { getUser } from '../auth/users';
import { deposit, getWallet, withdraw, type MoneyMovementResult } from './use-cases';
import { authenticate, principalOf } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';

export interface WalletRouterDeps {
  tokens: TokenService;
  events: EventPublisher;
  email: EmailQueue;
  /** Read at call time: the AML engine is wired after the routers are built. */
  activityObserver: () => ActivityObserver;
}

const amountBody = z.object({ amount: z.union([z.string(), z.number()]) });

export function createWalletRouter(deps: WalletRouterDeps) {
  const router = new Router({ prefix: '/wallet' });
  router.use(authenticate(deps.tokens));

  router.get('/', async (ctx) => {
    ctx.body = await getWallet(emOf(ctx), principalOf(ctx).userId);
  });

  const move = (kind: 'deposit' | 'withdrawal') => async (ctx: Context) => {
    const { userId } = principalOf(ctx);
    const key = idempotencyKeyFrom(ctx.get('idempotency-key'));
    const body = validate(amountBody, ctx.request.body, kind);
    const amount = parsePositiveMinor(body.amount, 'amount');
    const em = emOf(ctx);
    const response = await idempotent(em, { scope: `${kind}:${userId}`, key, request: { amount } }, async () => {
      const result: MoneyMovementResult =
        kind === 'deposit' ? await deposit(em, userId, amount, key) : await withdraw(em, userId, amount, key);
      return { status: 201, body: result };
    });
    ctx.status = response.status;
    ctx.body = response.body;
    const result = response.body as MoneyMovementResult;
    await deps.events.publish(userRoom(userId), 'wallet:balance', {
      userId,
      balance: result.balance,
      at: new Date().toISOString(),
    });
    if (kind === 'withdrawal') {
      const user = await getUser(em, userId);
      await deps.email.enqueue(
        { template: 'withdrawal-approved', to: user.email, data: { name: user.fullName, amount: formatMinor(amount) } },
        `withdrawal-${result.transactionId}`,
      );
    }
    await deps.activityObserver().afterActivity(userId, kind);
  };

  router.post('/deposit', move('deposit'));
  router.post('/withdraw', move('withdrawal'));
  return router;
}
