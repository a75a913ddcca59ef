import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { authenticate, principalOf } from '../auth/middleware';
import { validate } from '../../kernel/http/validate';
import type { EventLog } from './event-log';

export interface EventsRouterDeps {
  tokens: TokenService;
  log: EventLog;
}

export const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * GET /events?after=<seq>: the caller's own live events with a larger sequence number, oldest
 * first, from the bounded per-user log; a reconnecting client passes the last `seq` it saw. Fewer
 * than `limit` events back means it has caught up (then live events continue at `lastSeq + 1`).
 */
export function createEventsRouter(deps: EventsRouterDeps) {
  const router = new Router();
  router.get('/events', authenticate(deps.tokens), async (ctx) => {
    const { after, limit } = validate(eventsQuery, ctx.query, 'query');
    ctx.body = await deps.log.after(principalOf(ctx).userId, after, limit);
  });
  return router;
}
