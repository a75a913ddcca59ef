import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';
import { runInRequestScope } from '../../request-scope';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Per request: an id (client's X-Request-Id when sane, else a new one), a child logger, a fresh
 * EntityManager fork so no identity map leaks between requests, and one access-log line with the
 * route template (`/kyc/admin/:userId/decision`, not the path with ids), the authenticated user,
 * the status and the error code of a refusal. The id also goes, through the request scope, on
 * whatever the request sends to Temporal (kernel/temporal/request-id.ts).
 *
 * The fork and the child logger are made on first use: a profile of GET /health (bench/) had
 * `em.fork()` alone at 5% of the API's CPU, for requests that never touch the database.
 */
export function requestContext(logger: Logger, orm: MikroORM) {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    let child: Logger | undefined;
    let em: EntityManager | undefined;
    Object.defineProperties(ctx.state, {
      logger: { get: () => (child ??= logger.child({ requestId })), enumerable: true, configurable: true },
      em: { get: () => (em ??= orm.em.fork()), enumerable: true, configurable: true },
    });
    const started = process.hrtime.bigint();
    try {
      await runInRequestScope({ requestId }, next);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      logger.info(
        {
          requestId,
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

export const emOf = (ctx: Context) => ctx.state.em as EntityManager;
export const loggerOf = (ctx: Context) => ctx.state.logger as Logger;
