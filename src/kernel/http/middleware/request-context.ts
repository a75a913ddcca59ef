import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Per request: an id (client's X-Request-Id when sane, else a new one), a child logger,
 * one access-log line, and a fresh EntityManager fork so no identity map leaks between requests.
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
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.state.logger.info(
        { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
  };
}

export const emOf = (ctx: Context) => ctx.state.em as import('@mikro-orm/postgresql').EntityManager;
export const loggerOf = (ctx: Context) => ctx.state.logger as Logger;
