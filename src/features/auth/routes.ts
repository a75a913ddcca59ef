import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from './tokens';
import { createUser, getUser, publicUser } from './users';
import { authenticate } from './middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';
import { rateLimit, type LimitRule } from '../../kernel/http/middleware/throttle';
import { checkedLogin, type LoginLock } from './login-lock';

/** The latest birth date of someone 18 today (UTC), as YYYY-MM-DD; Feb 29 becomes Mar 1. */
export function adultsBornBy(today: Date): string {
  const d = new Date(Date.UTC(today.getUTCFullYear() - 18, today.getUTCMonth(), today.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

export const registerBody = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  fullName: z.string().trim().min(1).max(200),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO-3166 alpha-2 code')
    .transform((c) => c.toUpperCase()),
  dateOfBirth: z.iso
    .date()
    .refine((d) => d >= '1900-01-01', 'must be 1900-01-01 or later')
    .refine((d) => d <= adultsBornBy(new Date()), 'must be at least 18 years ago')
    .optional(),
});

export const loginBody = z.object({ email: z.string().trim().email(), password: z.string().min(1).max(200) });

export interface AuthRouterDeps {
  tokens: TokenService;
  throttle: { login: LimitRule[]; register: LimitRule[]; lock: LoginLock };
}

export function createAuthRouter(deps: AuthRouterDeps) {
  const router = new Router({ prefix: '/auth' });

  router.post('/register', rateLimit(deps.throttle.register), async (ctx) => {
    const body = validate(registerBody, ctx.request.body, 'registration');
    const user = await createUser(emOf(ctx), body);
    const token = await deps.tokens.issue({ userId: user.id, role: user.role });
    ctx.status = 201;
    ctx.body = { user: publicUser(user), token };
  });

  router.post('/login', rateLimit(deps.throttle.login), async (ctx) => {
    const body = validate(loginBody, ctx.request.body, 'login');
    const user = await checkedLogin(ctx, deps.throttle.lock, body.email, body.password);
    const token = await deps.tokens.issue({ userId: user.id, role: user.role });
    ctx.body = { user: publicUser(user), token };
  });

  router.get('/me', authenticate(deps.tokens), async (ctx) => {
    ctx.body = { user: publicUser(await getUser(emOf(ctx), ctx.state.principal.userId)) };
  });

  return router;
}
