import '../../kernel/http/koa-types';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import type { Queue } from 'bullmq';
import type { Context, Next } from 'koa';
import { z, ZodError } from 'zod';
import type { socketToken } from './responses';
import type { Principal } from '../auth/tokens';
import { checkedLogin, type LoginLock } from '../auth/login-lock';
import type { KycCases } from '../kyc/cases';
import type { BinaryTrades } from '../binary/client';
import { AppError } from '../../kernel/errors';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { emOf } from '../../kernel/http/middleware/request-context';
import { httpStatusFor } from '../../kernel/http/middleware/errors';
import { rateLimit, type LimitRule } from '../../kernel/http/middleware/throttle';
import { CONSOLE_COOKIE, csrfMatches, type ConsoleSession, type ConsoleSessions } from './session';
import type { AmlConsoleSource } from './aml-source';
import { CASE_STATUSES } from '../aml/case-repository';
import { CHECK_TYPES } from '../aml/rules';
import { complianceTimeline, workflowSearchUrl } from '../aml/timeline';
import * as q from './queries';
import * as v from './views';

const P = v.CONSOLE_PATH;
const LOGIN_CSRF_COOKIE = 'console_login_csrf';
/** Sent by console.js on a live-region refresh (assets/console.js). */
const LIVE_REFRESH_HEADER = 'x-console-live-refresh';

export interface ConsoleRouterDeps {
  sessions: ConsoleSessions;
  kyc: KycCases;
  trades: BinaryTrades;
  aml: AmlConsoleSource;
  loginLimits: LimitRule[];
  loginLock: LoginLock;
  queues: () => Queue[];
  temporalUi: { url: string; namespace: string };
  /** Secure cookies (secureCookiesFor: all but development and test): the browser sends them over HTTPS only. */
  secureCookies: boolean;
}

interface ConsoleState {
  id: string;
  session: ConsoleSession;
}

const uuid = z.uuid();
/** The AML list's filters, from the query string; a bad value is a 404 page (see htmlErrors). */
const amlListFilter = z.object({
  status: z.enum(['ACTIVE', ...CASE_STATUSES]),
  rule: z.enum(CHECK_TYPES).optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), z.uuid()]).optional(),
  q: z.string().optional(),
  offset: z.coerce.number().int().min(0).max(100_000),
});
export type AmlListFilter = z.infer<typeof amlListFilter>;

/** Static files of the console, read once: the page script and styles, and the Socket.IO client. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const dir = join(__dirname, 'assets');
  return new Map([
    ['console.js', { type: 'application/javascript', body: readFileSync(join(dir, 'console.js')) }],
    ['console.css', { type: 'text/css', body: readFileSync(join(dir, 'console.css')) }],
    [
      'socket.io.min.js',
      {
        type: 'application/javascript',
        body: readFileSync(join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js')),
      },
    ],
  ]);
}

/** A safe place to return to after sign-in: a path of this console or of the queue dashboard. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(console|admin\/queues)(\/[^\s]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : `${P}/kyc`;

/**
 * The operator console at /console: server-rendered pages over the same use cases the JSON admin
 * routes call (KycCases.decide, AmlCases.decide, BinaryTrades.retrySettlement), so the same checks
 * apply: own-case refusal, two different admins to unfreeze, staff status on every request.
 */
export function createConsoleRouter(deps: ConsoleRouterDeps) {
  const router = new Router();
  const assets = loadAssets();
  const cookieOptions = (ctx: Context) => {
    // Behind a TLS-terminating proxy Koa knows the request was HTTPS (app.proxy); outside
    // development and test the cookie is Secure either way.
    if (deps.secureCookies) ctx.cookies.secure = true;
    return { httpOnly: true, sameSite: 'strict' as const, secure: deps.secureCookies, path: '/' };
  };

  const page = (ctx: Context, body: string, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  };
  const toLogin = (ctx: Context, expired: boolean) => {
    const next =
      ctx.method === 'GET' ? ctx.originalUrl : safeNext(ctx.get('referer') && new URL(ctx.get('referer')).pathname);
    ctx.redirect(`${P}/login?next=${encodeURIComponent(safeNext(next))}${expired ? '&expired=1' : ''}`);
  };

  /** Every console error is a page (or a redirect to sign-in), never the API's JSON error body. */
  const htmlErrors = async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      // A malformed id in the address or a bad form value: not found, as a page.
      const appErr =
        err instanceof AppError ? err : err instanceof ZodError ? new AppError('NOT_FOUND', 'No such page.') : null;
      if (appErr?.code === 'UNAUTHENTICATED') return toLogin(ctx, true);
      const status = appErr ? httpStatusFor(appErr.code) : 500;
      if (status >= 500) ctx.state.logger?.error({ err }, 'console request failed');
      const message = status >= 500 ? 'Something went wrong; the error was logged.' : appErr!.message;
      page(ctx, v.errorPage(consoleState(ctx)?.session, status, message), status);
    }
  };
  const consoleState = (ctx: Context) => ctx.state.console as ConsoleState | undefined;

  /** A staff session, or off to the sign-in page (a missing or expired session looks the same). */
  const signedIn = async (ctx: Context, next: Next) => {
    const id = ctx.cookies.get(CONSOLE_COOKIE);
    const resolved = await deps.sessions.resolve(id);
    if (!resolved) {
      if (id) ctx.cookies.set(CONSOLE_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
      return toLogin(ctx, Boolean(id));
    }
    ctx.state.console = { id: id!, session: resolved.session } satisfies ConsoleState;
    ctx.state.principal = resolved.principal;
    return next();
  };

  /** Every state-changing request carries the session's CSRF token (form field or header). */
  const csrf = async (ctx: Context, next: Next) => {
    const { session } = consoleState(ctx)!;
    const submitted = (ctx.request.body as Record<string, unknown>)?._csrf ?? ctx.get('x-csrf-token');
    if (!csrfMatches(session.csrf, submitted)) {
      return page(
        ctx,
        v.errorPage(session, 403, 'The form was stale or forged (CSRF check failed). Reload the page and try again.'),
        403,
      );
    }
    return next();
  };

  const me = (ctx: Context) => ctx.state.principal as Principal;
  /**
   * Takes the one-shot message of the session, if any. A live-region refresh (console.js, marked
   * with LIVE_REFRESH_HEADER) leaves it: a refresh that an old page starts while its form post is
   * being answered would otherwise take the message the redirected page is about to show.
   */
  const takeFlash = async (ctx: Context) => {
    if (ctx.get(LIVE_REFRESH_HEADER)) return undefined;
    const st = consoleState(ctx)!;
    const flash = st.session.flash;
    if (flash) {
      delete st.session.flash;
      await deps.sessions.save(st.id, st.session);
    }
    return flash;
  };
  const redirectWith = async (ctx: Context, to: string, flash: ConsoleSession['flash']) => {
    const st = consoleState(ctx)!;
    st.session.flash = flash;
    await deps.sessions.save(st.id, st.session);
    ctx.status = 303;
    ctx.redirect(to);
  };
  const field = (ctx: Context, name: string) => {
    const value = (ctx.request.body as Record<string, unknown>)?.[name];
    return typeof value === 'string' ? value.trim() : '';
  };

  router.get(`${P}/assets/:file`, (ctx) => {
    const asset = assets.get(ctx.params.file!);
    if (!asset) throw new AppError('NOT_FOUND', 'no such asset');
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = asset.body;
  });

  // --- Sign-in and sign-out -----------------------------------------------------------------
  router.get(`${P}/login`, async (ctx) => {
    // Already signed in: straight on.
    if (await deps.sessions.resolve(ctx.cookies.get(CONSOLE_COOKIE))) return ctx.redirect(safeNext(ctx.query.next));
    const token = randomBytes(24).toString('base64url');
    ctx.cookies.set(LOGIN_CSRF_COOKIE, token, { ...cookieOptions(ctx), path: P, maxAge: 3600_000 });
    page(
      ctx,
      v.loginPage({
        csrf: token,
        next: safeNext(ctx.query.next),
        notice: ctx.query.expired ? 'Your session ended. Sign in again.' : ctx.query.out ? 'Signed out.' : undefined,
      }),
    );
  });

  const loginFailed = (ctx: Context, status: number, error: string) => {
    const token = randomBytes(24).toString('base64url');
    ctx.cookies.set(LOGIN_CSRF_COOKIE, token, { ...cookieOptions(ctx), path: P, maxAge: 3600_000 });
    page(
      ctx,
      v.loginPage({ csrf: token, next: safeNext(field(ctx, 'next')), error, email: field(ctx, 'email') }),
      status,
    );
  };

  router.post(
    `${P}/login`,
    async (ctx, next) => {
      // Login CSRF: the form's token must match the cookie the sign-in page set (double submit).
      const expected = ctx.cookies.get(LOGIN_CSRF_COOKIE);
      if (!expected || !csrfMatches(expected, field(ctx, '_csrf'))) {
        return loginFailed(ctx, 403, 'The sign-in form expired. Please try again.');
      }
      try {
        await next();
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === 'RATE_LIMITED') return loginFailed(ctx, 429, `Too many sign-in attempts: ${err.message}`);
        if (err.code === 'UNAUTHENTICATED' || err.code === 'VALIDATION_FAILED') {
          return loginFailed(ctx, 401, 'Wrong email or password.');
        }
        if (err.code === 'FORBIDDEN') return loginFailed(ctx, 403, err.message);
        throw err;
      }
    },
    rateLimit(deps.loginLimits),
    async (ctx) => {
      const email = field(ctx, 'email');
      const password = (ctx.request.body as Record<string, unknown>).password;
      if (!email || typeof password !== 'string' || !password) throw new AppError('VALIDATION_FAILED', 'missing');
      const user = await checkedLogin(ctx, deps.loginLock, email, password);
      if (!ADMIN_ROLES.includes(user.role)) {
        throw new AppError('FORBIDDEN', 'The operator console is for staff accounts (ADMIN, MASTER) only.');
      }
      if (user.status !== 'ACTIVE') throw new AppError('FORBIDDEN', 'This staff account is not active.');
      const { id } = await deps.sessions.create({ userId: user.id, role: user.role }, user.email);
      ctx.cookies.set(LOGIN_CSRF_COOKIE, '', { ...cookieOptions(ctx), path: P, maxAge: 0 });
      ctx.cookies.set(CONSOLE_COOKIE, id, { ...cookieOptions(ctx), maxAge: deps.sessions.settings.maxSeconds * 1000 });
      ctx.status = 303;
      ctx.redirect(safeNext(field(ctx, 'next')));
    },
  );

  // Everything below: signed in, pages on error.
  const auth = [htmlErrors, signedIn] as const;
  const post = [htmlErrors, signedIn, csrf] as const;

  router.post(`${P}/logout`, ...post, async (ctx) => {
    await deps.sessions.destroy(consoleState(ctx)!.id);
    ctx.cookies.set(CONSOLE_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    ctx.status = 303;
    ctx.redirect(`${P}/login?out=1`);
  });

  router.get(P, ...auth, (ctx) => ctx.redirect(`${P}/kyc`));

  /** A short-lived access token for the Socket.IO connection (the `admins` room). */
  router.get(`${P}/socket-token`, ...auth, async (ctx) => {
    ctx.body = { token: await deps.sessions.socketToken(me(ctx)) } satisfies z.output<typeof socketToken>;
  });

  // --- KYC ------------------------------------------------------------------------------------
  router.get(`${P}/kyc`, ...auth, async (ctx) => {
    const items = await q.kycQueue(emOf(ctx));
    page(ctx, v.kycQueuePage(consoleState(ctx)!.session, items, await takeFlash(ctx)));
  });

  router.get(`${P}/kyc/:userId`, ...auth, async (ctx) => {
    const userId = uuid.parse(ctx.params.userId);
    const user = await q.findUser(emOf(ctx), userId);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    page(ctx, v.kycCasePage(consoleState(ctx)!.session, await q.kycOf(emOf(ctx), userId), user, await takeFlash(ctx)));
  });

  const decideKyc = (decision: 'APPROVE' | 'REJECT') => async (ctx: Context) => {
    const userId = uuid.parse((ctx as Context & { params: Record<string, string> }).params.userId);
    const note = field(ctx, decision === 'APPROVE' ? 'notes' : 'reason').slice(0, 2000);
    const user = await q.findUser(emOf(ctx), userId);
    const label = user?.email ?? userId;
    if (decision === 'REJECT' && !note) {
      return redirectWith(ctx, `${P}/kyc/${userId}`, { kind: 'error', text: 'A rejection needs a reason.' });
    }
    try {
      const state = await deps.kyc.decide(userId, me(ctx).userId, decision, note || null);
      const verb = state.status === 'APPROVED' ? 'Approved' : 'Rejected';
      return redirectWith(ctx, `${P}/kyc`, { kind: 'ok', text: `${verb} the KYC of ${label}.` });
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_STATE') {
        return redirectWith(ctx, `${P}/kyc/${userId}`, {
          kind: 'error',
          text: `409 Conflict: the KYC of ${label} was not ${decision === 'APPROVE' ? 'approved' : 'rejected'}: ${err.message}. Another admin (or the provider) decided it first; this page shows its current state.`,
        });
      }
      if (err instanceof AppError && err.code === 'FORBIDDEN') {
        return redirectWith(ctx, `${P}/kyc/${userId}`, { kind: 'error', text: `Refused: ${err.message}.` });
      }
      throw err;
    }
  };
  router.post(`${P}/kyc/:userId/approve`, ...post, decideKyc('APPROVE'));
  router.post(`${P}/kyc/:userId/reject`, ...post, decideKyc('REJECT'));

  // --- AML ------------------------------------------------------------------------------------
  router.get(`${P}/aml`, ...auth, async (ctx) => {
    const text = (k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string).trim() : '');
    const filter = amlListFilter.parse({
      status: text('status') || 'ACTIVE',
      rule: text('rule') || undefined,
      assignee: text('assignee') || undefined,
      q: text('q').slice(0, 254) || undefined,
      offset: text('offset') || '0',
    });
    const em = emOf(ctx);
    const assignee = filter.assignee === 'me' ? me(ctx).userId : filter.assignee;
    const search = filter.q;
    const byId = search && uuid.safeParse(search).success;
    const list = await deps.aml.list(em, {
      status: filter.status,
      rule: filter.rule,
      assignee,
      userId: byId ? search : undefined,
      email: search && !byId ? search : undefined,
      limit: 50,
      offset: filter.offset,
    });
    page(ctx, v.amlListPage(consoleState(ctx)!.session, list, filter, await takeFlash(ctx)));
  });

  /** The user's case page, by the user: their open case, else their latest (links in live notices use it). */
  router.get(`${P}/aml/:userId`, ...auth, async (ctx) => {
    const userId = uuid.parse(ctx.params.userId);
    const caseId = await deps.aml.currentCaseId(emOf(ctx), userId);
    if (!caseId) throw new AppError('NOT_FOUND', 'This user has no AML case.');
    ctx.redirect(v.casePath(caseId));
  });

  /** A case page by the case's id: any case of the user, open or closed. */
  router.get(`${P}/aml/cases/:caseId`, ...auth, async (ctx) => {
    const em = emOf(ctx);
    const record = await deps.aml.caseById(em, uuid.parse(ctx.params.caseId));
    const user = await q.findUser(em, record.userId);
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    // Only an open case with a freeze is decided through the freeze workflow.
    const frozen = record.status !== 'CLOSED' && record.workflowId !== null;
    const [state, findings, movements, timeline, staff] = await Promise.all([
      frozen ? deps.aml.freezeState(record.userId) : null,
      deps.aml.findings(em, record.userId),
      q.moneyMovements(em, record.userId),
      complianceTimeline(em, record.userId, deps.temporalUi),
      deps.aml.staff(em),
    ]);
    const people = [...(state?.approvals ?? []), ...findings.map((f) => f.resolvedBy ?? '')];
    const emails = await q.emailsOf(
      em,
      [...new Set(people)].filter((id) => uuid.safeParse(id).success),
    );
    page(
      ctx,
      v.amlCasePage(
        consoleState(ctx)!.session,
        { user, record, state, findings, movements, timeline, emails, staff },
        await takeFlash(ctx),
      ),
    );
  });

  /** A form on a case page: the outcome (or the refusal, with its HTTP status) is shown back on that page. */
  const onCase =
    (act: (ctx: Context, caseId: string) => Promise<string>) =>
    async (ctx: Context): Promise<void> => {
      const caseId = uuid.parse(ctx.params.caseId);
      const back = v.casePath(caseId);
      try {
        return redirectWith(ctx, back, { kind: 'ok', text: await act(ctx, caseId) });
      } catch (err) {
        if (err instanceof AppError && err.code !== 'INTERNAL') {
          return redirectWith(ctx, back, {
            kind: 'error',
            text: `Refused (${httpStatusFor(err.code)}): ${err.message}.`,
          });
        }
        throw err;
      }
    };

  router.post(
    `${P}/aml/cases/:caseId/assign`,
    ...post,
    onCase(async (ctx, caseId) => {
      const assignee = uuid.safeParse(field(ctx, 'assigneeId'));
      if (!assignee.success) throw new AppError('VALIDATION_FAILED', 'choose a staff member');
      await deps.aml.assign(emOf(ctx), caseId, assignee.data, me(ctx).userId);
      return 'Case assigned.';
    }),
  );

  router.post(
    `${P}/aml/cases/:caseId/notes`,
    ...post,
    onCase(async (ctx, caseId) => {
      const note = field(ctx, 'note').slice(0, 2000);
      if (!note) throw new AppError('VALIDATION_FAILED', 'a note cannot be empty');
      await deps.aml.note(emOf(ctx), caseId, me(ctx).userId, note);
      return 'Note added to the case.';
    }),
  );

  /**
   * The decisions the JSON API allows for the case: on an open freeze UNFREEZE (two different
   * admins) or KEEP_FROZEN, through the freeze workflow; on a case without a freeze CLEARED or
   * ESCALATED, with a reason. The use cases refuse the rest (own case, closed case, wrong kind).
   */
  router.post(
    `${P}/aml/cases/:caseId/decision`,
    ...post,
    onCase(async (ctx, caseId) => {
      const decision = z.enum(['UNFREEZE', 'KEEP_FROZEN', 'CLEARED', 'ESCALATED']).safeParse(field(ctx, 'decision'));
      if (!decision.success) throw new AppError('VALIDATION_FAILED', 'no such decision');
      const notes = field(ctx, 'notes').slice(0, 2000);
      const em = emOf(ctx);
      const adminId = me(ctx).userId;
      if (decision.data === 'CLEARED' || decision.data === 'ESCALATED') {
        if (!notes) throw new AppError('VALIDATION_FAILED', 'a decision needs a reason');
        await deps.aml.decideWithoutFreeze(em, caseId, adminId, decision.data, notes);
        return decision.data === 'CLEARED'
          ? 'Case cleared and closed: its findings are resolved.'
          : 'Case escalated and closed: the account is frozen, and a freeze case follows.';
      }
      const record = await deps.aml.caseById(em, caseId);
      if (record.status === 'CLOSED') throw new AppError('INVALID_STATE', 'the case is already closed');
      if (!record.workflowId) {
        throw new AppError('INVALID_STATE', 'the case has no freeze: clear or escalate it instead');
      }
      const state = await deps.aml.decide(record.userId, {
        decision: decision.data,
        adminId,
        notes: notes || null,
      });
      return state.status === 'UNFROZEN'
        ? 'Second approval recorded: the account is being unfrozen.'
        : state.status === 'CLOSED_FROZEN'
          ? 'The case is closed; the account stays frozen.'
          : 'Your unfreeze approval is recorded. A second, different admin must approve.';
    }),
  );

  router.post(
    `${P}/aml/cases/:caseId/findings/:checkId/resolve`,
    ...post,
    onCase(async (ctx, _caseId) => {
      const checkId = uuid.safeParse(ctx.params.checkId);
      if (!checkId.success) throw new AppError('NOT_FOUND', 'no such finding');
      const notes = field(ctx, 'notes').slice(0, 2000);
      if (!notes) throw new AppError('VALIDATION_FAILED', 'a note is required');
      await deps.aml.resolveFinding(emOf(ctx), checkId.data, me(ctx).userId, notes);
      return 'Finding resolved with your note.';
    }),
  );

  // --- Settlement failures ----------------------------------------------------------------------
  router.get(`${P}/settlements`, ...auth, async (ctx) => {
    page(
      ctx,
      v.settlementsPage(consoleState(ctx)!.session, await q.failedSettlements(emOf(ctx)), await takeFlash(ctx)),
    );
  });

  router.get(`${P}/settlements/:id`, ...auth, async (ctx) => {
    const trade = await q.tradeById(emOf(ctx), uuid.parse(ctx.params.id));
    if (!trade) throw new AppError('NOT_FOUND', 'No such trade.');
    page(ctx, v.tradePage(consoleState(ctx)!.session, trade, await takeFlash(ctx)));
  });

  router.post(`${P}/settlements/:id/retry`, ...post, async (ctx) => {
    const id = uuid.parse(ctx.params.id);
    const back = `${P}/settlements/${id}`;
    try {
      await deps.trades.retrySettlement(emOf(ctx), id, me(ctx).userId);
      return redirectWith(ctx, back, { kind: 'ok', text: 'Retry requested: the settlement runs again.' });
    } catch (err) {
      if (err instanceof AppError && ['INVALID_STATE', 'NOT_FOUND'].includes(err.code)) {
        return redirectWith(ctx, back, {
          kind: 'error',
          text: `Refused (${httpStatusFor(err.code)}): ${err.message}.`,
        });
      }
      throw err;
    }
  });

  // --- Users ------------------------------------------------------------------------------------
  router.get(`${P}/users`, ...auth, async (ctx) => {
    const query = typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, 254) : '';
    const s = consoleState(ctx)!.session;
    if (!query) return page(ctx, v.userSearchPage(s, '', await takeFlash(ctx)));
    const user = await q.findUser(emOf(ctx), query);
    if (!user) return page(ctx, v.userSearchPage(s, query, undefined, true), 404);
    ctx.redirect(`${P}/users/${user.id}`);
  });

  router.get(`${P}/users/:id`, ...auth, async (ctx) => {
    const em = emOf(ctx);
    const user = await q.findUser(em, uuid.parse(ctx.params.id));
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    const [kyc, findings, movements, timeline, cases, jobs] = await Promise.all([
      q.kycOf(em, user.id),
      deps.aml.findings(em, user.id),
      q.moneyMovements(em, user.id),
      complianceTimeline(em, user.id, deps.temporalUi),
      deps.aml.list(em, { userId: user.id, limit: 100, offset: 0 }),
      jobsOf(deps.queues(), { id: user.id, email: user.email }).catch(() => []),
    ]);
    const temporalUrl = workflowSearchUrl(deps.temporalUi, `UserId="${user.id}"`);
    page(
      ctx,
      v.userPage(
        consoleState(ctx)!.session,
        { user, kyc, cases: cases.items, findings, movements, timeline, jobs, temporalUrl },
        await takeFlash(ctx),
      ),
    );
  });

  // Any other console address: a page, never the API's JSON 404.
  router.all(`${P}/{*rest}`, ...auth, () => {
    throw new AppError('NOT_FOUND', 'No such page.');
  });

  return router;
}

/** The user's recent jobs in the queues (email jobs by address, others by user id), with bull-board links. */
async function jobsOf(queues: Queue[], user: { id: string; email: string }) {
  const out: { queue: string; id: string; name: string; state: string; href: string }[] = [];
  for (const queue of queues) {
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'], 0, 500);
    for (const job of jobs) {
      const data = (job?.data ?? {}) as { to?: string; userId?: string };
      if (!job?.id || (data.to !== user.email && data.userId !== user.id)) continue;
      out.push({
        queue: queue.name,
        id: job.id,
        name: job.name,
        state: await job.getState(),
        href: `/admin/queues/queue/${encodeURIComponent(queue.name)}/${encodeURIComponent(job.id)}`,
      });
      if (out.length >= 20) return out;
    }
  }
  return out;
}
