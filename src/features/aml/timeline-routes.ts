import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { emOf } from '../../kernel/http/middleware/request-context';
import { authenticate, requireRole } from '../auth/middleware';
import { validate } from '../../kernel/http/validate';
import { complianceTimeline, type TemporalUi } from './timeline';
import type { complianceTimeline as timelineResponse } from './responses';

/** `GET /admin/users/:id/timeline`: the user's compliance timeline (ADMIN/MASTER only). */
export function createComplianceTimelineRouter(deps: { tokens: TokenService; temporalUi: TemporalUi }) {
  const router = new Router({ prefix: '/admin/users' });
  router.use(authenticate(deps.tokens), requireRole(ADMIN_ROLES));
  router.get('/:id/timeline', async (ctx) => {
    const { id } = validate(z.object({ id: z.uuid() }), ctx.params, 'path');
    ctx.body = {
      userId: id,
      items: await complianceTimeline(emOf(ctx), id, deps.temporalUi),
    } satisfies z.output<typeof timelineResponse>;
  });
  return router;
}
