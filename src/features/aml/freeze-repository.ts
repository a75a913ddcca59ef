import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, SYSTEM_ACTOR, type Actor } from '../../kernel/audit';
import { recordOutbox, type OutboxMessage } from '../../kernel/outbox';
import { emailMessage } from '../notifications/email-queue';
import { ADMINS_ROOM, liveEvent, userRoom } from '../realtime/events';

/**
 * Freeze: user FROZEN and wallet locked, in one transaction with their audit rows, the email to
 * the user and the live event to the user and the admins. Idempotent per case.
 */
export const freezeAccount = (em: EntityManager, userId: string, reason: string, caseId: string) =>
  setFrozen(em, userId, true, SYSTEM_ACTOR('aml-freeze'), reason, (user, at) => [
    emailMessage(
      { template: 'account-frozen', to: user.email, data: { name: user.full_name, reason } },
      `aml-frozen-${caseId}`,
    ),
    liveEvent(
      [userRoom(userId), ADMINS_ROOM],
      'aml:frozen',
      { userId, reason, caseId, at },
      `aml-frozen-event-${caseId}`,
    ),
  ]);

/** Unfreeze after the approvals: user ACTIVE and wallet unlocked, audited, the user told. Idempotent per case. */
export const unfreezeAccount = (
  em: EntityManager,
  userId: string,
  approvals: string[],
  notes: string | null,
  caseId: string,
) =>
  setFrozen(
    em,
    userId,
    false,
    { type: 'ADMIN', id: approvals.join(',') },
    `unfrozen with the approvals of ${approvals.join(' and ')}${notes ? `: ${notes}` : ''}`,
    (user, at) => [
      emailMessage(
        { template: 'account-unfrozen', to: user.email, data: { name: user.full_name } },
        `aml-unfrozen-${caseId}`,
      ),
      liveEvent(
        [userRoom(userId), ADMINS_ROOM],
        'aml:unfrozen',
        { userId, caseId, at },
        `aml-unfrozen-event-${caseId}`,
      ),
    ],
  );

async function setFrozen(
  em: EntityManager,
  userId: string,
  frozen: boolean,
  actor: Actor,
  reason: string,
  consequences: (user: { email: string; full_name: string }, at: string) => OutboxMessage[],
) {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ status: string; locked: boolean; email: string; full_name: string }[]>(
      `select u.status, u.email, u.full_name, w.locked from users u join wallets w on w.user_id = u.id where u.id = ? for update of u, w`,
      [userId],
    );
    if (!row) throw new Error(`user ${userId} not found`);
    // Keyed by the case: a retried activity adds nothing, a new case tells the user again.
    await recordOutbox(tx, ...consequences(row, new Date().toISOString()));
    const status = frozen ? 'FROZEN' : 'ACTIVE';
    if (row.status === status && row.locked === frozen) return false;
    await tx.execute(`update users set status = ?, updated_at = now() where id = ?`, [status, userId]);
    await tx.execute(`update wallets set locked = ?, locked_reason = ?, updated_at = now() where user_id = ?`, [
      frozen,
      frozen ? `AML: ${reason}`.slice(0, 500) : null,
      userId,
    ]);
    audit(tx, {
      actor,
      action: frozen ? 'user.frozen' : 'user.unfrozen',
      targetType: 'user',
      targetId: userId,
      before: { status: row.status },
      after: { status },
      reason,
    });
    audit(tx, {
      actor,
      action: frozen ? 'wallet.locked' : 'wallet.unlocked',
      targetType: 'wallet',
      targetId: userId,
      before: { locked: row.locked },
      after: { locked: frozen },
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
