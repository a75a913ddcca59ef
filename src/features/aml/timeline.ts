import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import { kycWorkflowId } from '../kyc/contract';
import { amlWorkflowId } from './contract';
import type { complianceTimeline as timelineResponse } from './responses';

/**
 * A user's compliance timeline, in time order: KYC state changes, AML findings, case events
 * (opened, finding added, frozen, assigned, note, decision, snoozed, closed), freezes and
 * unfreezes, rule snoozes. Each entry says who (provider, admin id and email, system), when, why,
 * and the workflow it belongs to with a link to its Temporal UI page.
 */
export type TimelineCategory = 'kyc' | 'aml_finding' | 'case_event' | 'decision' | 'freeze' | 'snooze';

export type TimelineEntry = z.output<typeof timelineResponse>['items'][number];

export interface TemporalUi {
  url: string;
  namespace: string;
}

const workflowsPage = (ui: TemporalUi) =>
  `${ui.url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows`;

/** The workflow's page in the Temporal UI: its run's history when known, else a search by id. */
export function workflowUrl(ui: TemporalUi, workflowId: string, runId?: string | null): string {
  return runId
    ? `${workflowsPage(ui)}/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`
    : workflowSearchUrl(ui, `WorkflowId="${workflowId}"`);
}

/** The Temporal UI's workflow list filtered by a visibility query (e.g. `UserId="..."`). */
export const workflowSearchUrl = (ui: TemporalUi, query: string): string =>
  `${workflowsPage(ui)}?query=${encodeURIComponent(query)}`;

interface Raw {
  at: Date;
  category: TimelineCategory;
  action: string;
  actor_type: string;
  actor_id: string;
  reason: string | null;
  case_id: string | null;
  workflow_id: string | null;
  run_id: string | null;
  details: Record<string, unknown> | null;
  seq: number;
}

export async function complianceTimeline(em: EntityManager, userId: string, ui: TemporalUi): Promise<TimelineEntry[]> {
  const user = await em.execute(`select 1 from users where id = ?`, [userId]);
  if (!user.length) throw new AppError('NOT_FOUND', 'user not found');
  const rows = await em.execute<Raw[]>(
    `select created_at as at,
            case when target_type = 'kyc' then 'kyc'
                 when action = 'aml.rule_snoozed' then 'snooze' else 'freeze' end as category,
            action, actor_type, actor_id, reason, null::uuid as case_id,
            case when target_type = 'kyc' then ? when action in ('user.frozen','user.unfrozen') then ? end as workflow_id,
            null as run_id, jsonb_build_object('before', before, 'after', after) as details, 1 as seq
       from audit_logs
      where target_id = ? and (target_type = 'kyc'
         or (target_type = 'user' and action in ('user.frozen','user.unfrozen','aml.rule_snoozed')))
     union all
     select created_at, 'aml_finding', 'aml.finding.' || lower(check_type), 'SYSTEM',
            coalesce('aml-rules:' || (metadata->>'trigger'), 'aml-rules'), notes, null, null, null,
            jsonb_build_object('checkId', id, 'rule', check_type, 'result', result, 'severity', severity,
              'outcome', outcome, 'snoozed', snoozed, 'resolvedBy', resolved_by, 'resolvedAt', resolved_at), 0
       from aml_checks where user_id = ? and result <> 'PASS'
     union all
     select e.created_at, case when e.kind = 'DECISION' then 'decision' else 'case_event' end,
            'aml.case.' || lower(e.kind), e.actor_type, e.actor_id, e.reason, c.id, c.workflow_id, c.run_id, e.data, 2
       from aml_case_events e join aml_cases c on c.id = e.case_id where c.user_id = ?
     order by 1, seq`,
    [kycWorkflowId(userId), amlWorkflowId(userId), userId, userId, userId],
  );
  const adminIds = [
    ...new Set(rows.filter((r) => r.actor_type === 'ADMIN').flatMap((r) => r.actor_id.split(','))),
  ].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const emails = new Map<string, string>();
  if (adminIds.length) {
    const found = await em.execute<{ id: string; email: string }[]>(
      `select id, email from users where id = any(?::uuid[])`,
      [`{${adminIds.join(',')}}`],
    );
    for (const f of found) emails.set(f.id, f.email);
  }
  return rows.map((r) => {
    const ids = r.actor_id.split(',');
    const actor: TimelineEntry['actor'] = { type: r.actor_type, id: r.actor_id, email: emails.get(ids[0]!) ?? null };
    // Two admins approve an unfreeze: both are named.
    if (ids.length > 1) actor.emails = ids.map((id) => emails.get(id) ?? null);
    return {
      at: new Date(r.at).toISOString(),
      category: r.category,
      action: r.action,
      actor,
      reason: r.reason,
      caseId: r.case_id,
      workflowId: r.workflow_id,
      workflowUrl: r.workflow_id ? workflowUrl(ui, r.workflow_id, r.run_id) : null,
      details: r.details,
    };
  });
}
