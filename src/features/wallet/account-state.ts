import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import { lockUser } from '../../kernel/db/money-transaction';

export interface AccountState {
  status: 'ACTIVE' | 'FROZEN';
  kycStatus: string;
  walletLocked: boolean;
}

export async function accountState(em: EntityManager, userId: string): Promise<AccountState> {
  const rows = await em.execute<{ status: 'ACTIVE' | 'FROZEN'; kyc_status: string; locked: boolean }[]>(
    `select u.status, u.kyc_status, w.locked from users u join wallets w on w.user_id = u.id where u.id = ?`,
    [userId],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'user not found');
  return { status: row.status, kycStatus: row.kyc_status, walletLocked: row.locked };
}

/** A frozen account, a locked wallet or a compliance hold may not trade, open binary trades or withdraw (403). */
export async function assertCanTrade(em: EntityManager, userId: string): Promise<AccountState> {
  const state = await accountState(em, userId);
  assertMayDebit(state);
  await assertNoComplianceHold(em, userId);
  return state;
}

/**
 * Seed `canUserWithdraw`: KYC APPROVED, user ACTIVE, wallet not locked, and no unresolved AML
 * check that holds withdrawals (a strong sanctions name match told apart only by birth date).
 */
export async function canUserWithdraw(em: EntityManager, userId: string): Promise<boolean> {
  const s = await accountState(em, userId);
  if (s.kycStatus !== 'APPROVED' || s.status !== 'ACTIVE' || s.walletLocked) return false;
  return !(await withdrawalsHeld(em, userId));
}

/**
 * block_and_review: an unresolved finding at that step of the outcome ladder (rows written before
 * the ladder: one that asked to hold withdrawals) holds withdrawals and trading until an admin
 * resolves it or clears the case. A rule snoozed for the user right now holds nothing, and a
 * finding recorded while its rule was snoozed never holds, even after the snooze ends: it opened
 * no case, so nothing would be left to clear.
 */
export async function withdrawalsHeld(em: EntityManager, userId: string): Promise<boolean> {
  const held = await em.execute(
    `select 1 from aml_checks c where c.user_id = ? and c.resolved_at is null and not c.snoozed
     and coalesce(c.outcome, case when (c.metadata->>'holdWithdrawals')::boolean then 'block_and_review' end) = 'block_and_review'
     and not exists (select 1 from aml_rule_snoozes s where s.user_id = c.user_id and s.rule = c.check_type and s.until > now())
     limit 1`,
    [userId],
  );
  return held.length > 0;
}

/** Refuses a withdrawal or a trade while a block_and_review finding waits for a decision (403). */
export async function assertNoComplianceHold(em: EntityManager, userId: string): Promise<void> {
  if (await withdrawalsHeld(em, userId)) {
    throw new AppError(
      'COMPLIANCE_HOLD',
      'withdrawals and trading are held until a compliance review of an AML finding decides',
    );
  }
}

/**
 * Locks the account for a money transaction, in the global lock order: the user row first
 * (FOR NO KEY UPDATE: serializes the user's movements with each other and with a freeze, and
 * lets foreign-key checks through), then the wallet row (FOR UPDATE). Returns the state as of
 * the locks, which no other transaction can change until this one ends.
 */
export async function lockAccount(tx: EntityManager, userId: string): Promise<AccountState> {
  const user = await lockUser(tx, userId);
  if (!user) throw new AppError('NOT_FOUND', 'user not found');
  const [wallet] = await tx.execute<{ locked: boolean }[]>(`select locked from wallets where user_id = ? for update`, [
    userId,
  ]);
  if (!wallet) throw new AppError('NOT_FOUND', 'wallet not found');
  return { status: user.status as AccountState['status'], kycStatus: user.kycStatus, walletLocked: wallet.locked };
}

/** The refusals every debit shares: a frozen account or a locked wallet moves nothing out (403). */
export function assertMayDebit(state: AccountState): void {
  if (state.status === 'FROZEN') throw new AppError('ACCOUNT_FROZEN', 'account is frozen pending a compliance review');
  if (state.walletLocked) throw new AppError('WALLET_LOCKED', 'wallet is locked');
}
