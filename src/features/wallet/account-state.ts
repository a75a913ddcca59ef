import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';

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

/** A frozen account or a locked wallet may not trade, open binary trades or withdraw (403). */
export async function assertCanTrade(em: EntityManager, userId: string): Promise<AccountState> {
  const state = await accountState(em, userId);
  if (state.status === 'FROZEN') throw new AppError('ACCOUNT_FROZEN', 'account is frozen pending a compliance review');
  if (state.walletLocked) throw new AppError('WALLET_LOCKED', 'wallet is locked');
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

/** An unresolved AML check asks to hold withdrawals until an admin resolves it. */
export async function withdrawalsHeld(em: EntityManager, userId: string): Promise<boolean> {
  const held = await em.execute(
    `select 1 from aml_checks where user_id = ? and resolved_at is null
     and (metadata->>'holdWithdrawals')::boolean is true limit 1`,
    [userId],
  );
  return held.length > 0;
}
