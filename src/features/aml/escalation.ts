import type { EntityManager } from '@mikro-orm/postgresql';
import { moneyTransaction } from '../../kernel/db/money-transaction';
import { AppError } from '../../kernel/errors';
import { recordOutbox } from '../../kernel/outbox';
import { lockAccount } from '../wallet/account-state';
import { decideCase } from './case-repository';
import { writeFrozen } from './freeze-repository';
import { amlFreezeMessage } from './messages';

/**
 * ESCALATED: an admin closes a case that had no freeze and freezes the account, in one
 * transaction taking the locks in the global order (user, wallet, then the case); the freeze
 * workflow is requested through the outbox and opens the case that follows (two admins unfreeze).
 */
export async function escalateCase(em: EntityManager, caseId: string, adminId: string, reason: string) {
  const [c] = await em.execute<{ user_id: string }[]>(`select user_id from aml_cases where id = ?`, [caseId]);
  if (!c) throw new AppError('NOT_FOUND', 'AML case not found');
  await moneyTransaction(em, async (tx) => {
    const state = await lockAccount(tx, c.user_id);
    await decideCase(tx, caseId, adminId, 'ESCALATED', reason);
    const why = `escalated by an admin from case ${caseId}: ${reason}`;
    await writeFrozen(tx, c.user_id, true, { type: 'ADMIN', id: adminId }, why, state);
    await recordOutbox(tx, amlFreezeMessage({ userId: c.user_id, checkIds: [], reasons: [why] }));
  });
}

/**
 * An admin's decision on a case without a freeze (the JSON API and the console take it alike):
 * ESCALATED freezes the account (escalateCase); CLEARED closes the case and resolves its open
 * findings, which releases a block_and_review hold.
 */
export async function decideCaseWithoutFreeze(
  em: EntityManager,
  caseId: string,
  adminId: string,
  decision: 'CLEARED' | 'ESCALATED',
  reason: string,
): Promise<void> {
  if (decision === 'ESCALATED') return escalateCase(em, caseId, adminId, reason);
  await em.transactional((tx) => decideCase(tx, caseId, adminId, 'CLEARED', reason));
}
