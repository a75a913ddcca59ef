import type Router from '@koa/router';
import { checkTemporal } from '../temporal/connection';
import type { AppContext } from '../main/context';
import { createAuthRouter } from './routes/auth';
import { createHealthRouter } from './routes/health';

/** Every feature router of the API, built from the process context. Features add theirs here. */
export function buildRouters(ctx: AppContext): Router[] {
  return [
    createHealthRouter([
      { name: 'postgres', check: () => ctx.orm.em.getConnection().execute('select 1') },
      { name: 'redis', check: () => ctx.redis.ping() },
      { name: 'temporal', check: () => checkTemporal(ctx.temporal) },
    ]),
    createAuthRouter({ tokens: ctx.tokens }),
  ];
}
