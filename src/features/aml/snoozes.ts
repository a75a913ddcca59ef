import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit } from '../../kernel/audit';
import { AppError } from '../../kernel/errors';
import { addCaseEvent } from './case-repository';
import type { snooze } from './responses';

/**
 * Rule snoozes: an admin snoozes rule X for user Y until T with a reason. A snoozed rule is still
 * evaluated and recorded, but does not escalate (no freeze, no hold, no new case). A snooze ends
 * by itself: every reader compares `until` with now(), so no job has to lift it.
 */
export type SnoozeView = z.output<typeof snooze>;

/** The rules snoozed for this user right now. */
export async function activeSnoozedRules(em: EntityManager, userId: string): Promise<Set<string>> {
  const rows = await em.execute<{ rule: string }[]>(
    `select distinct rule from aml_rule_snoozes where user_id = ? and until > now()`,
    [userId],
  );
  return new Set(rows.map((r) => r.rule));
}

export async function listSnoozes(em: EntityManager, userId: string): Promise<SnoozeView[]> {
  const rows = await em.execute<
    {
      id: string;
      user_id: string;
      rule: string;
      until: Date;
      reason: string;
      created_by: string;
      email: string | null;
      created_at: Date;
      active: boolean;
    }[]
  >(
    `select s.*, u.email, s.until > now() as active from aml_rule_snoozes s
     left join users u on u.id = s.created_by where s.user_id = ? order by s.created_at desc`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    rule: r.rule,
    until: new Date(r.until).toISOString(),
    reason: r.reason,
    createdBy: r.created_by,
    createdByEmail: r.email,
    createdAt: new Date(r.created_at).toISOString(),
    active: r.active,
  }));
}

/** Snoozes a rule for a user until `until` (in the future); audited, and shown on the open case. */
export async function snoozeRule(
  em: EntityManager,
  input: { userId: string; rule: string; until: Date; reason: string; adminId: string },
): Promise<SnoozeView> {
  if (input.until.getTime() <= Date.now()) throw new AppError('VALIDATION_FAILED', 'until must be in the future');
  return em.transactional(async (tx) => {
    const user = await tx.execute(`select 1 from users where id = ?`, [input.userId]);
    if (!user.length) throw new AppError('NOT_FOUND', 'user not found');
    const [row] = await tx.execute<{ id: string }[]>(
      `insert into aml_rule_snoozes (user_id, rule, until, reason, created_by) values (?, ?, ?, ?, ?) returning id`,
      [input.userId, input.rule, input.until, input.reason, input.adminId],
    );
    const [open] = await tx.execute<{ id: string }[]>(
      `select id from aml_cases where user_id = ? and status <> 'CLOSED'`,
      [input.userId],
    );
    if (open) {
      await addCaseEvent(tx, open.id, 'SNOOZED', { type: 'ADMIN', id: input.adminId }, input.reason, {
        rule: input.rule,
        until: input.until.toISOString(),
      });
    }
    audit(tx, {
      actor: { type: 'ADMIN', id: input.adminId },
      action: 'aml.rule_snoozed',
      targetType: 'user',
      targetId: input.userId,
      after: { rule: input.rule, until: input.until.toISOString(), snoozeId: row!.id },
      reason: input.reason,
    });
    return (await listSnoozes(tx, input.userId)).find((s) => s.id === row!.id)!;
  });
}
