import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit } from '../../kernel/audit';
import { AppError } from '../../kernel/errors';
import type { CheckResult, Outcome, Severity } from './rules';
import type { amlCheck } from './responses';

/** AML findings as stored (`aml_checks`): the seed's AMLCheck. */
export type AmlCheckRow = z.output<typeof amlCheck>;

export interface AmlCheckDbRow {
  id: string;
  user_id: string;
  check_type: string;
  severity: Severity;
  result: CheckResult;
  outcome: Outcome | null;
  snoozed: boolean;
  metadata: unknown;
  notes: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
}

export const toCheckRow = (r: AmlCheckDbRow): AmlCheckRow => ({
  id: r.id,
  userId: r.user_id,
  checkType: r.check_type,
  severity: r.severity,
  result: r.result,
  outcome: r.outcome,
  snoozed: r.snoozed,
  metadata: r.metadata,
  notes: r.notes,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function getAMLCheckHistory(em: EntityManager, userId: string, limit = 50): Promise<AmlCheckRow[]> {
  const rows = await em.execute<AmlCheckDbRow[]>(
    `select * from aml_checks where user_id = ? order by created_at desc, id limit ?`,
    [userId, limit],
  );
  return rows.map(toCheckRow);
}

export async function listChecks(
  em: EntityManager,
  filter: { result?: CheckResult; severity?: Severity; unresolved?: boolean; limit: number; offset: number },
) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.result) {
    where.push('result = ?');
    params.push(filter.result);
  }
  if (filter.severity) {
    where.push('severity = ?');
    params.push(filter.severity);
  }
  if (filter.unresolved) where.push(`resolved_at is null and result <> 'PASS'`);
  const clause = where.length ? `where ${where.join(' and ')}` : '';
  const rows = await em.execute<AmlCheckDbRow[]>(
    `select * from aml_checks ${clause} order by created_at desc, id limit ? offset ?`,
    [...params, filter.limit, filter.offset],
  );
  const [{ n }] = (await em.execute(`select count(*) n from aml_checks ${clause}`, params)) as [{ n: string }];
  return { items: rows.map(toCheckRow), total: Number(n), limit: filter.limit, offset: filter.offset };
}

/** An admin marks a finding as handled: notes appended, audited with the change. */
export async function resolveAMLCheck(
  em: EntityManager,
  checkId: string,
  adminId: string,
  notes: string,
): Promise<AmlCheckRow> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<AmlCheckDbRow[]>(`select * from aml_checks where id = ? for update`, [checkId]);
    if (!row) throw new AppError('NOT_FOUND', 'AML check not found');
    if (row.resolved_at) throw new AppError('INVALID_STATE', 'AML check is already resolved');
    const [updated] = await tx.execute<AmlCheckDbRow[]>(
      `update aml_checks set resolved_by = ?, resolved_at = now(), notes = coalesce(notes, '') || case when notes is null then '' else ' | ' end || ? where id = ? returning *`,
      [adminId, `resolved: ${notes}`, checkId],
    );
    audit(tx, {
      actor: { type: 'ADMIN', id: adminId },
      action: 'aml.check_resolved',
      targetType: 'aml_check',
      targetId: checkId,
      before: { resolvedAt: null },
      after: { resolvedBy: adminId },
      reason: notes,
    });
    return toCheckRow(updated!);
  });
}
