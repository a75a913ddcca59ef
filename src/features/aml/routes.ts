import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { RESULTS, SEVERITIES } from './rules';
import type { AmlCases } from './cases';
import type { AmlChecks } from './checks';
import { getAMLCheckHistory, listChecks, resolveAMLCheck } from './repository';
import { emOf } from '../../kernel/http/middleware/request-context';
import { authenticate, principalOf, requireRole } from '../auth/middleware';
import { validate } from '../../kernel/http/validate';

export const userIdParam = z.object({ userId: z.uuid() });
export const checkIdParam = z.object({ checkId: z.uuid() });
export const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const resolveBody = z.object({ notes: z.string().trim().min(1).max(2000) });
export const decisionBody = z.object({
  decision: z.enum(['UNFREEZE', 'KEEP_FROZEN']),
  notes: z.string().trim().max(2000).optional(),
});
export const listQuery = z.object({
  result: z.enum(RESULTS).optional(),
  severity: z.enum(SEVERITIES).optional(),
  unresolved: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Compliance officers' AML endpoints (ADMIN/MASTER only). */
export function createAmlRouter(deps: { tokens: TokenService; checks: AmlChecks; cases: AmlCases }) {
  const router = new Router({ prefix: '/aml/admin' });
  router.use(authenticate(deps.tokens), requireRole(ADMIN_ROLES));

  router.get('/checks', async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    ctx.body = await listChecks(emOf(ctx), { ...q, unresolved: q.unresolved === 'true' });
  });

  router.get('/users/:userId/checks', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const { limit } = validate(historyQuery, ctx.query, 'query');
    ctx.body = { items: await getAMLCheckHistory(emOf(ctx), userId, limit) };
  });

  router.post('/users/:userId/run', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const result = await deps.checks.runAMLChecks(userId, `admin:${principalOf(ctx).userId}`);
    ctx.body = { userId, findings: result.findings, saved: result.saved, freezeRequested: result.freezeRequested };
  });

  router.put('/checks/:checkId/resolve', async (ctx) => {
    const { checkId } = validate(checkIdParam, ctx.params, 'path');
    const { notes } = validate(resolveBody, ctx.request.body, 'resolution');
    ctx.body = await resolveAMLCheck(emOf(ctx), checkId, principalOf(ctx).userId, notes);
  });

  router.get('/cases', async (ctx) => {
    ctx.body = { items: await deps.cases.openCases() };
  });

  router.put('/users/:userId/decision', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const body = validate(decisionBody, ctx.request.body, 'decision');
    ctx.body = await deps.cases.decide(userId, {
      decision: body.decision,
      adminId: principalOf(ctx).userId,
      notes: body.notes ?? null,
    });
  });

  return router;
}
