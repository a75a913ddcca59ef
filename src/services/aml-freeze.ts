import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, SYSTEM_ACTOR } from './audit';

/** Freeze: user FROZEN and wallet locked, in one transaction with their audit rows. Idempotent. */
export async function freezeAccount(em: EntityManager, userId: string, reason: string): Promise<boolean> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ status: string; locked: boolean }[]>(
      `select u.status, w.locked from users u join wallets w on w.user_id = u.id where u.id = ? for update of u, w`,
      [userId],
    );
    if (!row) throw new Error(`user ${userId} not found`);
    if (row.status === 'FROZEN' && row.locked) return false;
    await tx.execute(`update users set status = 'FROZEN', updated_at = now() where id = ?`, [userId]);
    await tx.execute(`update wallets set locked = true, locked_reason = ?, updated_at = now() where user_id = ?`, [
      `AML: ${reason}`.slice(0, 500),
      userId,
    ]);
    const actor = SYSTEM_ACTOR('aml-freeze');
    audit(tx, {
      actor,
      action: 'user.frozen',
      targetType: 'user',
      targetId: userId,
      before: { status: row.status },
      after: { status: 'FROZEN' },
      reason,
    });
    audit(tx, {
      actor,
      action: 'wallet.locked',
      targetType: 'wallet',
      targetId: userId,
      before: { locked: row.locked },
      after: { locked: true },
      reason,
    });
    return true;
  });
}

export async function unfreezeAccount(
  em: EntityManager,
  userId: string,
  approvals: string[],
  notes: string | null,
): Promise<boolean> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ status: string; locked: boolean }[]>(
      `select u.status, w.locked from users u join wallets w on w.user_id = u.id where u.id = ? for update of u, w`,
      [userId],
    );
    if (!row || (row.status === 'ACTIVE' && !row.locked)) return false;
    await tx.execute(`update users set status = 'ACTIVE', updated_at = now() where id = ?`, [userId]);
    await tx.execute(`update wallets set locked = false, locked_reason = null, updated_at = now() where user_id = ?`, [
      userId,
    ]);
    const actor = { type: 'ADMIN' as const, id: approvals.join(',') };
    const reason = `unfrozen with the approvals of ${approvals.join(' and ')}${notes ? `: ${notes}` : ''}`;
    audit(tx, {
      actor,
      action: 'user.unfrozen',
      targetType: 'user',
      targetId: userId,
      before: { status: row.status },
      after: { status: 'ACTIVE' },
      reason,
    });
    audit(tx, {
      actor,
      action: 'wallet.unlocked',
      targetType: 'wallet',
      targetId: userId,
      before: { locked: row.locked },
      after: { locked: false },
      reason,
    });
    return true;
  });
}

/** KEEP_FROZEN: the case closes with the account frozen; one audit row per case. */
export async function closeCaseFrozen(
  em: EntityManager,
  caseId: string,
  userId: string,
  adminId: string,
  notes: string | null,
) {
  await em.transactional(async (tx) => {
    const done = await tx.execute(`select 1 from audit_logs where target_type = 'aml_case' and target_id = ?`, [
      caseId,
    ]);
    if (done.length) return;
    audit(tx, {
      actor: { type: 'ADMIN', id: adminId },
      action: 'aml.case_closed_frozen',
      targetType: 'aml_case',
      targetId: caseId,
      after: { userId, status: 'FROZEN' },
      reason: notes,
    });
  });
}
