import Router from '@koa/router';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import type { Queue } from 'bullmq';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import type { Principal, TokenService } from '../auth/tokens';
import { AppError } from '../../kernel/errors';
import type { AllQueueMetrics } from './queue-metrics';
import { checkedLogin, type LoginLock } from '../auth/login-lock';
import { rateLimit, type LimitRule } from '../../kernel/http/middleware/throttle';
import { validate } from '../../kernel/http/validate';
import { HTML_CSP } from '../../kernel/http/middleware/security-headers';

export const BOARD_PATH = '/admin/queues';
export const BOARD_COOKIE = 'queues_session';
const STAFF = ['ADMIN', 'MASTER'];

export interface AdminQueuesRouterDeps {
  tokens: TokenService;
  queues: () => Queue[];
  metrics: () => Promise<AllQueueMetrics>;
  /** Lifetime of the dashboard session cookie. */
  sessionTtlSeconds: number;
  loginLimits: LimitRule[];
  loginLock: LoginLock;
  /** The operator console's session (cookie `console_session`): it opens the dashboard too. */
  consoleSession?: (cookie: string | undefined) => Promise<Principal | null>;
  /**
   * Per queue name, the `limiter.max` its workers run with. The limit lives on the workers, so
   * the queue itself does not know it; without it the board would read "rate limited" whenever a
   * job ran in the limiter window.
   */
  rateLimitMax?: Record<string, number>;
}

/**
 * bull-board asks the queue for the limiter key's TTL with no maximum, and BullMQ then answers the
 * key's PTTL, which exists as soon as one job ran under a worker limiter. With the workers' max,
 * BullMQ answers a TTL only when the counter reached it (or a worker called rateLimit()).
 */
export class LimitAwareBullMQAdapter extends BullMQAdapter {
  constructor(
    private readonly bullQueue: Queue,
    private readonly limiterMax: number | undefined,
  ) {
    super(bullQueue);
  }

  override async getActiveRateLimitTtl(): Promise<number> {
    if (!this.limiterMax) return super.getActiveRateLimitTtl();
    return Math.max(0, await this.bullQueue.getRateLimitTtl(this.limiterMax));
  }
}

const CONSOLE_SESSION_COOKIE = 'console_session';
/** The API's page CSP, with the dashboard's same-origin <base> allowed. */
const BOARD_CSP = HTML_CSP.replace("base-uri 'none'", "base-uri 'self'");

export const loginBody = z.object({ email: z.string().trim().email(), password: z.string().min(1).max(200) });

const SAFE_METHODS = ['GET', 'HEAD'];

/**
 * The request comes from a page of this origin, as the browser tells it: Sec-Fetch-Site, or the
 * Origin header equal to the request's own origin (behind a proxy, as the proxy forwarded it).
 * Built from protocol and host: Koa 3's `ctx.origin` is the Origin header itself.
 */
const sameOrigin = (ctx: Context) =>
  ctx.get('sec-fetch-site') === 'same-origin' || ctx.get('origin') === `${ctx.protocol}://${ctx.host}`;

/**
 * Staff only: a bearer token, the session cookie set by POST /admin/queues/login (HttpOnly,
 * SameSite=Strict, scoped to /admin/queues, Secure over HTTPS), or the operator console's
 * session. No credentials: 401, or for a browser page the console's sign-in; a USER: 403; a
 * state-changing request on the console session from another origin (or none): 403.
 */
function requireStaff(tokens: TokenService, consoleSession?: AdminQueuesRouterDeps['consoleSession']) {
  return async (ctx: Context, next: Next) => {
    const bearer = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(ctx.get('authorization'))?.[1];
    const token = bearer ?? ctx.cookies.get(BOARD_COOKIE);
    if (!token && consoleSession) {
      const principal = await consoleSession(ctx.cookies.get(CONSOLE_SESSION_COOKIE));
      if (principal) {
        // bull-board's own calls (retry, clean, pause, ...) cannot carry the console's CSRF token:
        // a state-changing one on the console cookie must come from this origin.
        if (!SAFE_METHODS.includes(ctx.method) && !sameOrigin(ctx)) {
          throw new AppError(
            'FORBIDDEN',
            'a state-changing request signed in by the console session must come from this origin (Origin or Sec-Fetch-Site)',
          );
        }
        ctx.state.principal = principal;
        return next();
      }
      if (ctx.method === 'GET' && ctx.accepts('json', 'html') === 'html') {
        return ctx.redirect(`/console/login?next=${encodeURIComponent(ctx.path)}`);
      }
    }
    if (!token) throw new AppError('UNAUTHENTICATED', 'sign in at POST /admin/queues/login or send a bearer token');
    const principal: Principal = await tokens.verify(token);
    if (!STAFF.includes(principal.role)) throw new AppError('FORBIDDEN', 'queue dashboard is for ADMIN and MASTER');
    ctx.state.principal = principal;
    return next();
  };
}

const LOGIN_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Queues sign-in</title></head><body>
<form id="f"><h1>Queue dashboard</h1>
<label>Email <input name="email" type="email" required></label>
<label>Password <input name="password" type="password" required></label>
<button>Sign in</button><p id="e"></p></form>
<script>
document.getElementById('f').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const d = new FormData(ev.target);
  const r = await fetch('${BOARD_PATH}/login', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: d.get('email'), password: d.get('password') }) });
  if (r.ok) location.href = '${BOARD_PATH}'; else document.getElementById('e').textContent = 'Sign-in failed (' + r.status + ')';
});
</script></body></html>`;

/**
 * The queue dashboard (bull-board) at /admin/queues, its session login, and the seed's
 * getAllQueueMetrics() at GET /admin/queues/metrics.
 */
export function createAdminQueuesRouter(deps: AdminQueuesRouterDeps) {
  const router = new Router();
  const staff = requireStaff(deps.tokens, deps.consoleSession);

  router.get(`${BOARD_PATH}/metrics`, staff, async (ctx) => {
    try {
      ctx.body = await deps.metrics();
    } catch (err) {
      ctx.state.logger?.warn({ err }, 'queue metrics unavailable');
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'queue metrics are unavailable (Redis or Temporal)');
    }
  });

  router.get(`${BOARD_PATH}/login`, (ctx) => {
    ctx.type = 'html';
    ctx.body = LOGIN_PAGE;
  });

  /** Email + password of a staff account, or an existing staff bearer token: sets the session cookie. */
  router.post(`${BOARD_PATH}/login`, rateLimit(deps.loginLimits), async (ctx) => {
    let principal: Principal;
    if (ctx.get('authorization')) {
      await staff(ctx, async () => undefined);
      principal = ctx.state.principal as Principal;
    } else {
      const body = validate(loginBody, ctx.request.body, 'login');
      const user = await checkedLogin(ctx, deps.loginLock, body.email, body.password);
      if (user.status !== 'ACTIVE') throw new AppError('FORBIDDEN', 'account is not active');
      principal = { userId: user.id, role: user.role };
    }
    if (!STAFF.includes(principal.role)) throw new AppError('FORBIDDEN', 'queue dashboard is for ADMIN and MASTER');
    const token = await deps.tokens.issue(principal, deps.sessionTtlSeconds);
    ctx.cookies.set(BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: BOARD_PATH,
      secure: ctx.secure,
      maxAge: deps.sessionTtlSeconds * 1000,
    });
    ctx.status = 204;
  });

  router.post(`${BOARD_PATH}/logout`, (ctx) => {
    ctx.cookies.set(BOARD_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: BOARD_PATH, maxAge: 0 });
    ctx.status = 204;
  });

  // bull-board is built on first use, so a process that never opens it pays nothing.
  let board: Middleware | undefined;
  const boardMiddleware = (): Middleware => {
    if (!board) {
      const adapter = new KoaAdapter();
      adapter.setBasePath(BOARD_PATH);
      createBullBoard({
        queues: deps.queues().map((q) => new LimitAwareBullMQAdapter(q, deps.rateLimitMax?.[q.name])),
        serverAdapter: adapter,
      });
      board = adapter.registerPlugin() as Middleware;
    }
    return board;
  };
  // bull-board's page links Google Fonts: dropped, so the dashboard makes no request to another
  // origin (its system-font fallback is used). Its scripts and styles are relative to a
  // <base href="/admin/queues/">: the page's CSP allows a same-origin base (base-uri 'none' left
  // /admin/queues blank, its assets fetched from /admin/static/ and 404).
  router.all([BOARD_PATH, `${BOARD_PATH}/{*rest}`], staff, async (ctx, next) => {
    await boardMiddleware()(ctx, next);
    if (typeof ctx.body === 'string' && ctx.response.is('html')) {
      ctx.body = ctx.body.replace(/<link[^>]*fonts\.(googleapis|gstatic)\.com[^>]*>/g, '');
      ctx.set('Content-Security-Policy', BOARD_CSP);
    }
  });

  return router;
}
