import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, SYSTEM_ACTOR, type Actor } from '../../kernel/audit';
import { recordOutbox, type OutboxMessage } from '../../kernel/outbox';
import { moneyTransaction } from '../../kernel/db/money-transaction';
import { lockAccount } from '../wallet/account-state';
import { emailMessage } from '../notifications/email-queue';
import { ADMINS_ROOM, liveEvent, userRoom } from '../realtime/events';
import { recordWebhookEvent } from '../webhooks/events';
import { addDecisionOnce, attachFreeze, caseOfRun, closeCase } from './case-repository';

/**
 * Freeze: user FROZEN and wallet locked, in one transaction with their audit rows, the email to
 * the user, the live event to the user and the admins, and the user's AML case (opened or joined)
 * linked to the freeze workflow run. Idempotent per run (`caseId` is the run id).
 */
export const freezeAccount = (em: EntityManager, userId: string, reason: string, caseId: string, workflowId: string) =>
  setFrozen(
    em,
    userId,
    true,
    SYSTEM_ACTOR('aml-freeze'),
    reason,
    async (tx, user, at) => [
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
    ],
    // After the user and wallet locks: the global lock order.
    (tx) => attachFreeze(tx, userId, workflowId, caseId, reason),
  );

/**
 * Unfreeze after the approvals: user ACTIVE and wallet unlocked, audited, the user told, and the
 * case closed CLEARED. Idempotent per run.
 */
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
    async (_tx, user, at) => [
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
    async (tx) => {
      const id = await caseOfRun(tx, userId, caseId);
      const reason = `unfrozen with the approvals of ${approvals.join(' and ')}${notes ? `: ${notes}` : ''}`;
      if (!id) return;
      for (const adminId of approvals) await addDecisionOnce(tx, id, adminId, 'UNFREEZE', notes);
      await closeCase(tx, id, 'CLEARED', { type: 'ADMIN', id: approvals.join(',') }, reason);
    },
  );

async function setFrozen(
  em: EntityManager,
  userId: string,
  frozen: boolean,
  actor: Actor,
  reason: string,
  consequences: (tx: EntityManager, user: { email: string; full_name: string }, at: string) => Promise<OutboxMessage[]>,
  onCase: (tx: EntityManager) => Promise<unknown>,
) {
  return moneyTransaction(em, async (tx) => {
    // The global lock order (user, then wallet), as every money transaction takes it.
    const state = await lockAccount(tx, userId);
    const [user] = await tx.execute<{ email: string; full_name: string }[]>(
      `select email, full_name from users where id = ?`,
      [userId],
    );
    // Keyed by the case: a retried activity adds nothing, a new case tells the user again.
    await recordOutbox(tx, ...(await consequences(tx, user!, new Date().toISOString())));
    await onCase(tx);
    return writeFrozen(tx, userId, frozen, actor, reason, state);
  });
}

/**
 * Sets the account FROZEN/ACTIVE and the wallet locked/unlocked with their audit rows, in the
 * caller's transaction, which must hold the account's locks (lockAccount). False when it already was.
 */
export async function writeFrozen(
  tx: EntityManager,
  userId: string,
  frozen: boolean,
  actor: Actor,
  reason: string,
  before: { status: string; walletLocked: boolean },
): Promise<boolean> {
  const row = { status: before.status, locked: before.walletLocked };
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
  await recordWebhookEvent(tx, frozen ? 'account.frozen' : 'account.unfrozen', {
    userId,
    status,
    at: new Date().toISOString(),
  });
  return true;
}

/** KEEP_FROZEN: the case closes with the account frozen; one audit row per run. */
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
    const id = await caseOfRun(tx, userId, caseId);
    if (!id) return;
    await addDecisionOnce(tx, id, adminId, 'KEEP_FROZEN', notes);
    await closeCase(tx, id, 'KEEP_FROZEN', { type: 'ADMIN', id: adminId }, notes ?? 'kept frozen');
  });
}
