import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, SYSTEM_ACTOR, type Actor } from '../../kernel/audit';
import { AppError } from '../../kernel/errors';
import { recordOutbox } from '../../kernel/outbox';
import { ADMINS_ROOM, liveEvent } from '../realtime/events';
import { recordWebhookEvent } from '../webhooks/events';
import { outcomeRank, type Outcome } from './rules';
import type { amlCase, amlCaseItem } from './responses';

/**
 * AML cases as records (`aml_cases`, `aml_case_findings`, `aml_case_events`): the one place that
 * reads and writes them, for the AML checks, the freeze workflow's activities and the admin API.
 * Writers run in the caller's transaction; those that may open a case hold the user's AML lock
 * (`aml:<userId>`), and the partial unique index keeps one open case per user whatever happens.
 */

export const CASE_STATUSES = ['OPEN', 'INVESTIGATING', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_OUTCOMES = ['CLEARED', 'KEEP_FROZEN', 'ESCALATED'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];
export type CaseEventKind =
  'OPENED' | 'FINDING_ADDED' | 'FROZEN' | 'ASSIGNED' | 'NOTE' | 'DECISION' | 'SNOOZED' | 'CLOSED';

interface CaseDbRow {
  id: string;
  user_id: string;
  status: CaseStatus;
  highest_outcome: Outcome;
  outcome: CaseOutcome | null;
  assignee_id: string | null;
  workflow_id: string | null;
  run_id: string | null;
  opened_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  reason: string | null;
}

/** Serializes what may open or close a user's case (AML runs, inline decisions, the freeze). */
export const lockUserAml = (tx: EntityManager, userId: string) =>
  tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`aml:${userId}`]);

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

async function openCaseRow(tx: EntityManager, userId: string): Promise<CaseDbRow | undefined> {
  const [row] = await tx.execute<CaseDbRow[]>(
    `select * from aml_cases where user_id = ? and status <> 'CLOSED' for update`,
    [userId],
  );
  return row;
}

export async function addCaseEvent(
  tx: EntityManager,
  caseId: string,
  kind: CaseEventKind,
  actor: Actor,
  reason: string | null,
  data: Record<string, unknown> | null = null,
): Promise<void> {
  await tx.execute(
    `insert into aml_case_events (case_id, kind, actor_type, actor_id, reason, data) values (?, ?, ?, ?, ?, ?)`,
    [caseId, kind, actor.type, actor.id, reason, data === null ? null : JSON.stringify(data)],
  );
}

/** Opens a case (OPENED event, `aml.case.opened` webhook, a live event to the admins). */
async function openCase(tx: EntityManager, userId: string, outcome: Outcome, actor: Actor, reason: string) {
  const [row] = await tx.execute<CaseDbRow[]>(
    `insert into aml_cases (user_id, highest_outcome, reason) values (?, ?, ?) returning *`,
    [userId, outcome, reason.slice(0, 2000)],
  );
  const c = row!;
  await addCaseEvent(tx, c.id, 'OPENED', actor, reason);
  const openedAt = iso(c.opened_at)!;
  await recordWebhookEvent(tx, 'aml.case.opened', { caseId: c.id, userId, outcome, openedAt }, c.id);
  await recordOutbox(
    tx,
    liveEvent(
      [ADMINS_ROOM],
      'aml:case_opened',
      { caseId: c.id, userId, outcome, reason, at: openedAt },
      `case-${c.id}`,
    ),
  );
  return c;
}

export interface CaseFindingInput {
  checkId: string;
  rule: string;
  outcome: Outcome;
  notes: string | null;
  snoozed: boolean;
}

/**
 * A finding of the rules joins the user's open case (one row per rule: count and first/last
 * seen); a finding at `review` or above opens a case when none is open. An approve finding, or a
 * snoozed one with no open case, leaves cases alone: a snooze records without escalating.
 * The caller holds the user's AML lock. Returns the case id, or null.
 */
export async function recordCaseFinding(tx: EntityManager, userId: string, f: CaseFindingInput) {
  if (f.outcome === 'approve') return null;
  let c = await openCaseRow(tx, userId);
  if (!c) {
    if (f.snoozed) return null;
    c = await openCase(tx, userId, f.outcome, SYSTEM_ACTOR('aml-rules'), `${f.rule}: ${f.notes ?? f.outcome}`);
  }
  await tx.execute(
    `insert into aml_case_findings (case_id, rule, highest_outcome, first_seen_at, last_seen_at, last_check_id, last_notes, snoozed)
     values (?, ?, ?, now(), now(), ?, ?, ?)
     on conflict (case_id, rule) do update set
       count = aml_case_findings.count + 1,
       last_seen_at = now(),
       last_check_id = excluded.last_check_id,
       last_notes = excluded.last_notes,
       snoozed = excluded.snoozed,
       highest_outcome = case when array_position(?::text[], excluded.highest_outcome)
         > array_position(?::text[], aml_case_findings.highest_outcome)
         then excluded.highest_outcome else aml_case_findings.highest_outcome end`,
    [c.id, f.rule, f.outcome, f.checkId, f.notes, f.snoozed, LADDER, LADDER],
  );
  // A snoozed rule is shown on the case but does not raise it.
  if (!f.snoozed && outcomeRank(f.outcome) > outcomeRank(c.highest_outcome)) {
    await tx.execute(`update aml_cases set highest_outcome = ? where id = ?`, [f.outcome, c.id]);
  }
  await addCaseEvent(tx, c.id, 'FINDING_ADDED', SYSTEM_ACTOR('aml-rules'), f.notes, {
    rule: f.rule,
    outcome: f.outcome,
    checkId: f.checkId,
    snoozed: f.snoozed,
  });
  return c.id;
}

const LADDER = '{approve,review,block_and_review,decline}';

/**
 * The freeze workflow took the case: the user's open case (or a new one when the freeze came
 * without one, e.g. a repeated finding within its cooldown) is linked to the workflow run.
 * Idempotent per run. The caller holds the user's lock; this takes the AML lock after it.
 */
export async function attachFreeze(
  tx: EntityManager,
  userId: string,
  workflowId: string,
  runId: string,
  reason: string,
): Promise<string> {
  await lockUserAml(tx, userId);
  let c = await openCaseRow(tx, userId);
  if (c?.run_id === runId) return c.id;
  c ??= await openCase(tx, userId, 'decline', SYSTEM_ACTOR('aml-freeze'), reason);
  await tx.execute(`update aml_cases set workflow_id = ?, run_id = ?, highest_outcome = 'decline' where id = ?`, [
    workflowId,
    runId,
    c.id,
  ]);
  await addCaseEvent(tx, c.id, 'FROZEN', SYSTEM_ACTOR('aml-freeze'), reason, { workflowId, runId });
  return c.id;
}

/**
 * Closes a case with its outcome (CLOSED event, `aml.case.closed` webhook). Idempotent: a case
 * already closed is left as it is. Returns false then.
 */
export async function closeCase(
  tx: EntityManager,
  caseId: string,
  outcome: CaseOutcome,
  actor: Actor,
  reason: string | null,
): Promise<boolean> {
  const [c] = await tx.execute<CaseDbRow[]>(
    `update aml_cases set status = 'CLOSED', outcome = ?, closed_at = now(), closed_by = ?, reason = coalesce(?, reason)
     where id = ? and status <> 'CLOSED' returning *`,
    [outcome, `${actor.type.toLowerCase()}:${actor.id}`, reason, caseId],
  );
  if (!c) return false;
  await addCaseEvent(tx, caseId, 'CLOSED', actor, reason, { outcome });
  await recordWebhookEvent(
    tx,
    'aml.case.closed',
    { caseId, userId: c.user_id, outcome, workflowId: c.workflow_id, closedAt: iso(c.closed_at) },
    caseId,
  );
  return true;
}

/** The case a freeze run decided: the one linked to the run, else the user's open one. */
export async function caseOfRun(tx: EntityManager, userId: string, runId: string): Promise<string | null> {
  const [c] = await tx.execute<{ id: string }[]>(
    `select id from aml_cases where run_id = ? union all
     select id from aml_cases where user_id = ? and status <> 'CLOSED' limit 1`,
    [runId, userId],
  );
  return c?.id ?? null;
}

async function caseForUpdate(tx: EntityManager, caseId: string): Promise<CaseDbRow> {
  const [c] = await tx.execute<CaseDbRow[]>(`select * from aml_cases where id = ? for update`, [caseId]);
  if (!c) throw new AppError('NOT_FOUND', 'AML case not found');
  return c;
}

/** Assigns the case to a staff member (OPEN becomes INVESTIGATING); audited. */
export async function assignCase(em: EntityManager, caseId: string, assigneeId: string, adminId: string) {
  return em.transactional(async (tx) => {
    const c = await caseForUpdate(tx, caseId);
    if (c.status === 'CLOSED') throw new AppError('INVALID_STATE', 'the case is closed');
    const [staff] = await tx.execute<{ email: string }[]>(
      `select email from users where id = ? and role in ('ADMIN','MASTER')`,
      [assigneeId],
    );
    if (!staff) throw new AppError('UNPROCESSABLE', 'the assignee must be an ADMIN or MASTER account');
    await tx.execute(`update aml_cases set assignee_id = ?, status = 'INVESTIGATING' where id = ?`, [
      assigneeId,
      caseId,
    ]);
    await addCaseEvent(tx, caseId, 'ASSIGNED', { type: 'ADMIN', id: adminId }, null, {
      assigneeId,
      assigneeEmail: staff.email,
      previousAssigneeId: c.assignee_id,
    });
    audit(tx, {
      actor: { type: 'ADMIN', id: adminId },
      action: 'aml.case_assigned',
      targetType: 'aml_case',
      targetId: caseId,
      before: { assigneeId: c.assignee_id, status: c.status },
      after: { assigneeId, status: 'INVESTIGATING' },
    });
  });
}

/** A note on the case, kept in its timeline; audited. */
export async function addCaseNote(em: EntityManager, caseId: string, adminId: string, note: string) {
  return em.transactional(async (tx) => {
    const c = await caseForUpdate(tx, caseId);
    await addCaseEvent(tx, c.id, 'NOTE', { type: 'ADMIN', id: adminId }, note);
    audit(tx, {
      actor: { type: 'ADMIN', id: adminId },
      action: 'aml.case_note',
      targetType: 'aml_case',
      targetId: caseId,
      reason: note,
    });
  });
}

/**
 * An admin's decision as the freeze workflow accepted it, once per admin and decision on the case:
 * the API records a first approval; the activity that closes the case records the deciding one
 * before the CLOSED event (the API only hears back after the close).
 */
export async function addDecisionOnce(
  tx: EntityManager,
  caseId: string,
  adminId: string,
  decision: string,
  notes: string | null,
): Promise<void> {
  const seen = await tx.execute(
    `select 1 from aml_case_events where case_id = ? and kind = 'DECISION' and actor_id = ? and data->>'decision' = ?`,
    [caseId, adminId, decision],
  );
  if (!seen.length) await addCaseEvent(tx, caseId, 'DECISION', { type: 'ADMIN', id: adminId }, notes, { decision });
}

/** The decision recorded on the user's open case (else their latest case). */
export async function recordDecision(
  em: EntityManager,
  userId: string,
  adminId: string,
  decision: string,
  notes: string | null,
) {
  await em.transactional(async (tx) => {
    const [c] = await tx.execute<{ id: string }[]>(
      `select id from aml_cases where user_id = ? order by (status <> 'CLOSED') desc, opened_at desc limit 1 for update`,
      [userId],
    );
    if (c) await addDecisionOnce(tx, c.id, adminId, decision, notes);
  });
}

/**
 * A case without a freeze decided by an admin: CLEARED closes it and resolves its open findings
 * (which releases a block_and_review hold); ESCALATED closes it and freezes the account through
 * `freeze` (the freeze workflow then opens its own case). A frozen case is decided through the
 * freeze workflow's two-admin decision instead.
 */
export async function decideCase(
  tx: EntityManager,
  caseId: string,
  adminId: string,
  decision: 'CLEARED' | 'ESCALATED',
  reason: string,
): Promise<{ userId: string }> {
  const c = await caseForUpdate(tx, caseId);
  if (c.status === 'CLOSED') throw new AppError('INVALID_STATE', 'the case is already closed');
  if (c.workflow_id) {
    throw new AppError('INVALID_STATE', 'the account is frozen: decide through the freeze (two admins to unfreeze)');
  }
  if (c.user_id === adminId) throw new AppError('FORBIDDEN', 'an admin cannot decide their own AML case');
  const actor: Actor = { type: 'ADMIN', id: adminId };
  await addCaseEvent(tx, caseId, 'DECISION', actor, reason, { decision });
  if (decision === 'CLEARED') {
    await tx.execute(
      `update aml_checks set resolved_by = ?, resolved_at = now() where user_id = ? and resolved_at is null and result <> 'PASS'`,
      [adminId, c.user_id],
    );
  }
  await closeCase(tx, caseId, decision, actor, reason);
  audit(tx, {
    actor,
    action: 'aml.case_decided',
    targetType: 'aml_case',
    targetId: caseId,
    before: { status: c.status },
    after: { status: 'CLOSED', outcome: decision },
    reason,
  });
  return { userId: c.user_id };
}

export interface CaseFilter {
  status?: CaseStatus | 'ACTIVE';
  rule?: string;
  /** A staff id, or 'none' for unassigned cases. */
  assignee?: string;
  userId?: string;
  /** Part of the user's email, case-insensitive. */
  email?: string;
  limit: number;
  offset: number;
}

export type CaseFindingSummary = CaseListItem['findings'][number];

export type CaseListItem = z.output<typeof amlCaseItem>;

interface CaseListDbRow extends CaseDbRow {
  email: string;
  assignee_email: string | null;
  findings:
    | {
        rule: string;
        count: number;
        outcome: Outcome;
        first: string;
        last: string;
        notes: string | null;
        snoozed: boolean;
      }[]
    | null;
}

const CASE_SELECT = `
  select c.*, u.email, a.email as assignee_email,
    (select json_agg(json_build_object('rule', f.rule, 'count', f.count, 'outcome', f.highest_outcome,
       'first', f.first_seen_at, 'last', f.last_seen_at, 'notes', f.last_notes, 'snoozed', f.snoozed)
       order by f.first_seen_at, f.rule)
     from aml_case_findings f where f.case_id = c.id) as findings
  from aml_cases c join users u on u.id = c.user_id left join users a on a.id = c.assignee_id`;

function toListItem(r: CaseListDbRow): CaseListItem {
  const findings = (r.findings ?? []).map((f) => ({
    rule: f.rule,
    count: f.count,
    outcome: f.outcome,
    firstSeenAt: iso(f.first)!,
    lastSeenAt: iso(f.last)!,
    lastNotes: f.notes,
    snoozed: f.snoozed,
  }));
  return {
    id: r.id,
    userId: r.user_id,
    email: r.email,
    status: r.status,
    highestOutcome: r.highest_outcome,
    outcome: r.outcome,
    openedAt: iso(r.opened_at)!,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
    assignee: r.assignee_id ? { id: r.assignee_id, email: r.assignee_email ?? '' } : null,
    workflowId: r.workflow_id,
    findingSummary: findings.map((f) => `${f.rule} x${f.count}${f.snoozed ? ' (snoozed)' : ''}`).join(', '),
    findings,
  };
}

export async function listCases(em: EntityManager, filter: CaseFilter) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status === 'ACTIVE') where.push(`c.status <> 'CLOSED'`);
  else if (filter.status) {
    where.push('c.status = ?');
    params.push(filter.status);
  }
  if (filter.rule) {
    where.push('exists (select 1 from aml_case_findings f where f.case_id = c.id and f.rule = ?)');
    params.push(filter.rule);
  }
  if (filter.assignee === 'none') where.push('c.assignee_id is null');
  else if (filter.assignee) {
    where.push('c.assignee_id = ?');
    params.push(filter.assignee);
  }
  if (filter.userId) {
    where.push('c.user_id = ?');
    params.push(filter.userId);
  }
  if (filter.email) {
    where.push(`u.email ilike '%' || ? || '%'`);
    params.push(filter.email.replace(/[%_\\]/g, (c) => `\\${c}`));
  }
  const clause = where.length ? `where ${where.join(' and ')}` : '';
  const rows = await em.execute<CaseListDbRow[]>(
    `${CASE_SELECT} ${clause} order by c.opened_at desc, c.id limit ? offset ?`,
    [...params, filter.limit, filter.offset],
  );
  const [count] = await em.execute<{ n: string }[]>(
    `select count(*) n from aml_cases c join users u on u.id = c.user_id ${clause}`,
    params,
  );
  return { items: rows.map(toListItem), total: Number(count!.n), limit: filter.limit, offset: filter.offset };
}

export type CaseEventView = z.output<typeof amlCase>['timeline'][number];

export async function caseEvents(em: EntityManager, caseId: string): Promise<CaseEventView[]> {
  const rows = await em.execute<
    {
      kind: CaseEventKind;
      created_at: Date;
      actor_type: string;
      actor_id: string;
      email: string | null;
      reason: string | null;
      data: Record<string, unknown> | null;
    }[]
  >(
    `select e.*, u.email from aml_case_events e
     left join users u on e.actor_type = 'ADMIN' and u.id::text = e.actor_id
     where e.case_id = ? order by e.created_at, e.id`,
    [caseId],
  );
  return rows.map((r) => ({
    kind: r.kind,
    at: iso(r.created_at)!,
    actor: { type: r.actor_type, id: r.actor_id, email: r.email },
    reason: r.reason,
    data: r.data,
  }));
}

/** One case with its findings, decisions and timeline. */
export async function getCase(em: EntityManager, caseId: string) {
  const [row] = await em.execute<CaseListDbRow[]>(`${CASE_SELECT} where c.id = ?`, [caseId]);
  if (!row) throw new AppError('NOT_FOUND', 'AML case not found');
  const timeline = await caseEvents(em, caseId);
  return {
    ...toListItem(row),
    runId: row.run_id,
    reason: row.reason,
    decisions: timeline.filter((e) => e.kind === 'DECISION'),
    timeline,
  };
}

/** The user's open case, else their latest one, else null. */
export async function currentCaseIdOf(em: EntityManager, userId: string): Promise<string | null> {
  const [c] = await em.execute<{ id: string }[]>(
    `select id from aml_cases where user_id = ? order by (status <> 'CLOSED') desc, opened_at desc limit 1`,
    [userId],
  );
  return c?.id ?? null;
}

/** Staff who can be assigned a case. */
export async function staffMembers(em: EntityManager): Promise<{ id: string; email: string }[]> {
  return em.execute(`select id, email from users where role in ('ADMIN','MASTER') order by email limit 500`);
}
