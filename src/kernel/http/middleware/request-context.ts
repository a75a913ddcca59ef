import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';
import { runInRequestScope } from '../../request-scope';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Per request: an id (client's X-Request-Id when sane, else a new one), a child logger, a fresh
 * EntityManager fork so no identity map leaks between requests, and one access-log line with the
 * route template (`/kyc/admin/:userId/decision`, not the path with ids), the authenticated user,
 * the status and the error code of a refusal. The id also goes, through the request scope, on
 * whatever the request sends to Temporal (kernel/temporal/request-id.ts).
 */
export function requestContext(logger: Logger, orm: MikroORM) {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    ctx.state.logger = logger.child({ requestId });
    ctx.state.em = orm.em.fork();
    const started = process.hrtime.bigint();
    try {
      await runInRequestScope({ requestId }, next);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      ctx.state.logger.info(
        {
          method: ctx.method,
          route: route === undefined ? null : String(route),
          path: ctx.path,
          status: ctx.status,
          userId: (ctx.state.principal as { userId?: string } | undefined)?.userId ?? null,
          ...(ctx.state.errorCode ? { code: ctx.state.errorCode } : {}),
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    }
  };
}

export const emOf = (ctx: Context) => ctx.state.em as import('@mikro-orm/postgresql').EntityManager;
export const loggerOf = (ctx: Context) => ctx.state.logger as Logger;
