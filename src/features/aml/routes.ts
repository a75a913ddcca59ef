import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { CHECK_TYPES, RESULTS, SEVERITIES } from './rules';
import { addCaseNote, assignCase, CASE_STATUSES, getCase, listCases } from './case-repository';
import { listSnoozes, snoozeRule } from './snoozes';
import { decideCaseWithoutFreeze } from './escalation';
import type { AmlCases } from './cases';
import type { AmlChecks } from './checks';
import { getAMLCheckHistory, listChecks, resolveAMLCheck } from './repository';
import { emOf } from '../../kernel/http/middleware/request-context';
import { authenticate, principalOf, requireRole } from '../auth/middleware';
import { validate } from '../../kernel/http/validate';
import type { amlRun } from './responses';

export const userIdParam = z.object({ userId: z.uuid() });
export const checkIdParam = z.object({ checkId: z.uuid() });
export const caseIdParam = z.object({ id: z.uuid() });
export const caseListQuery = z
  .object({
    status: z.enum([...CASE_STATUSES, 'ACTIVE']).optional(),
    rule: z.enum(CHECK_TYPES).optional(),
    assignee: z.union([z.uuid(), z.literal('none')]).optional(),
    userId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export const listQuery = z.object({
  result: z.enum(RESULTS).optional(),
  severity: z.enum(SEVERITIES).optional(),
  unresolved: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
export const historyQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const resolveBody = z.object({ notes: z.string().trim().min(1).max(2000) });
export const decisionBody = z.object({
  decision: z.enum(['UNFREEZE', 'KEEP_FROZEN']),
  notes: z.string().trim().max(2000).optional(),
});
export const assigneeBody = z.object({ assigneeId: z.uuid() }).strict();
export const noteBody = z.object({ note: z.string().trim().min(1).max(2000) }).strict();
export const caseDecisionBody = z
  .object({ decision: z.enum(['CLEARED', 'ESCALATED']), reason: z.string().trim().min(1).max(2000) })
  .strict();
export const snoozeBody = z
  .object({
    rule: z.enum(CHECK_TYPES.filter((t) => t !== 'SUMMARY') as [string, ...string[]]),
    until: z.iso.datetime({ offset: true }),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

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
    ctx.body = {
      userId,
      findings: result.findings,
      saved: result.saved,
      freezeRequested: result.freezeRequested,
    } satisfies z.output<typeof amlRun>;
  });

  router.put('/checks/:checkId/resolve', async (ctx) => {
    const { checkId } = validate(checkIdParam, ctx.params, 'path');
    const { notes } = validate(resolveBody, ctx.request.body, 'resolution');
    ctx.body = await resolveAMLCheck(emOf(ctx), checkId, principalOf(ctx).userId, notes);
  });

  router.get('/cases', async (ctx) => {
    const q = validate(caseListQuery, ctx.query, 'query');
    ctx.body = await listCases(emOf(ctx), q);
  });

  router.get('/cases/:id', async (ctx) => {
    const { id } = validate(caseIdParam, ctx.params, 'path');
    const em = emOf(ctx);
    const c = await getCase(em, id);
    ctx.body = { ...c, snoozes: await listSnoozes(em, c.userId) };
  });

  router.put('/cases/:id/assignee', async (ctx) => {
    const { id } = validate(caseIdParam, ctx.params, 'path');
    const { assigneeId } = validate(assigneeBody, ctx.request.body, 'assignment');
    await assignCase(emOf(ctx), id, assigneeId, principalOf(ctx).userId);
    ctx.body = await getCase(emOf(ctx), id);
  });

  router.post('/cases/:id/notes', async (ctx) => {
    const { id } = validate(caseIdParam, ctx.params, 'path');
    const { note } = validate(noteBody, ctx.request.body, 'note');
    await addCaseNote(emOf(ctx), id, principalOf(ctx).userId, note);
    ctx.status = 201;
    ctx.body = await getCase(emOf(ctx), id);
  });

  // A case without a freeze: CLEARED (releases a hold) or ESCALATED (freezes the account).
  router.post('/cases/:id/decision', async (ctx) => {
    const { id } = validate(caseIdParam, ctx.params, 'path');
    const body = validate(caseDecisionBody, ctx.request.body, 'decision');
    const adminId = principalOf(ctx).userId;
    await decideCaseWithoutFreeze(emOf(ctx), id, adminId, body.decision, body.reason);
    ctx.body = await getCase(emOf(ctx), id);
  });

  router.get('/users/:userId/snoozes', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    ctx.body = { items: await listSnoozes(emOf(ctx), userId) };
  });

  router.post('/users/:userId/snoozes', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const body = validate(snoozeBody, ctx.request.body, 'snooze');
    ctx.status = 201;
    ctx.body = await snoozeRule(emOf(ctx), {
      userId,
      rule: body.rule,
      until: new Date(body.until),
      reason: body.reason,
      adminId: principalOf(ctx).userId,
    });
  });

  router.put('/users/:userId/decision', async (ctx) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const body = validate(decisionBody, ctx.request.body, 'decision');
    const adminId = principalOf(ctx).userId;
    ctx.body = await deps.cases.decide(userId, { decision: body.decision, adminId, notes: body.notes ?? null });
  });

  return router;
}
