import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../domain/errors';
import { formatMinor, type Minor } from '../domain/money';
import { accountState, canUserWithdraw } from './account-guard';
import { audit } from './audit';
import { postTransaction, systemAccount, walletAccount, walletBalance } from './ledger';

export async function getWallet(em: EntityManager, userId: string) {
  const rows = await em.execute<{ balance: string; currency: string; locked: boolean; locked_reason: string | null }[]>(
    `select balance, currency, locked, locked_reason from wallets where user_id = ?`,
    [userId],
  );
  const w = rows[0];
  if (!w) throw new AppError('NOT_FOUND', 'wallet not found');
  const balance = Number(w.balance);
  return {
    balance,
    balanceFormatted: formatMinor(balance),
    currency: w.currency,
    locked: w.locked,
    lockedReason: w.locked_reason,
  };
}

export interface MoneyMovementResult {
  transactionId: string;
  kind: 'deposit' | 'withdrawal';
  amount: Minor;
  balance: Minor;
  createdAt: string;
}

/** Cash in from outside (the payment rail is out of scope): wallet +, system:cash -. */
export async function deposit(
  em: EntityManager,
  userId: string,
  amount: Minor,
  key: string,
): Promise<MoneyMovementResult> {
  return em.transactional(async (tx) => {
    const state = await accountState(tx, userId);
    if (state.status === 'FROZEN')
      throw new AppError('ACCOUNT_FROZEN', 'account is frozen pending a compliance review');
    const posted = await postTransaction(tx, {
      idempotencyKey: `deposit-${userId}-${key}`,
      kind: 'deposit',
      request: { userId, amount },
      lines: [
        { account: walletAccount(userId), amount },
        { account: systemAccount('cash'), amount: -amount },
      ],
    });
    if (!posted.replayed) {
      audit(tx, {
        actor: { type: 'USER', id: userId },
        action: 'wallet.deposit',
        targetType: 'wallet',
        targetId: userId,
        after: { amount, transactionId: posted.id },
      });
    }
    return {
      transactionId: posted.id,
      kind: 'deposit',
      amount,
      balance: await walletBalance(tx, userId),
      createdAt: posted.createdAt.toISOString(),
    };
  });
}

/** Cash out: requires an APPROVED KYC, an ACTIVE account and an unlocked wallet. */
export async function withdraw(
  em: EntityManager,
  userId: string,
  amount: Minor,
  key: string,
): Promise<MoneyMovementResult> {
  return em.transactional(async (tx) => {
    const state = await accountState(tx, userId);
    if (state.status === 'FROZEN')
      throw new AppError('ACCOUNT_FROZEN', 'account is frozen pending a compliance review');
    if (state.walletLocked) throw new AppError('WALLET_LOCKED', 'wallet is locked');
    if (!(await canUserWithdraw(tx, userId)))
      throw new AppError('KYC_REQUIRED', 'withdrawals need an approved KYC verification');
    const posted = await postTransaction(tx, {
      idempotencyKey: `withdrawal-${userId}-${key}`,
      kind: 'withdrawal',
      request: { userId, amount },
      lines: [
        { account: walletAccount(userId), amount: -amount },
        { account: systemAccount('cash'), amount },
      ],
    });
    if (!posted.replayed) {
      audit(tx, {
        actor: { type: 'USER', id: userId },
        action: 'wallet.withdrawal',
        targetType: 'wallet',
        targetId: userId,
        after: { amount, transactionId: posted.id },
      });
    }
    return {
      transactionId: posted.id,
      kind: 'withdrawal',
      amount,
      balance: await walletBalance(tx, userId),
      createdAt: posted.createdAt.toISOString(),
    };
  });
}
