import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import { crashPoint } from '../../kernel/faults';
import { formatMinor, MAX_BALANCE_MINOR, type Minor } from '../../kernel/money';
import { assertMayDebit, assertNoComplianceHold, lockAccount } from './account-state';
import { moneyTransaction } from '../../kernel/db/money-transaction';
import type { ReadDb } from '../../kernel/db/read-pool';
import type { AmlGate } from '../aml/gate';
import { audit } from '../../kernel/audit';
import { recordOutbox, type OutboxMessage } from '../../kernel/outbox';
import { amlCheckMessage } from '../aml/messages';
import { emailMessage } from '../notifications/email-queue';
import { balanceEvent } from './events';
import { recordWebhookEvent } from '../webhooks/events';
import { postTransaction, systemAccount, walletAccount, walletBalance } from '../../kernel/ledger';
import type { moneyMovement } from './responses';

/** The balance, read through the plain read pool: one row, nothing hydrated (kernel/db/read-pool.ts). */
export async function getWallet(db: ReadDb, userId: string) {
  const rows = await db.rows<{ balance: string; currency: string; locked: boolean; locked_reason: string | null }>(
    `select balance, currency, locked, locked_reason from wallets where user_id = $1`,
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

export type MoneyMovementResult = z.output<typeof moneyMovement>;

type Movement = MoneyMovementResult['kind'];

/** Cash in from outside (the payment rail is out of scope): wallet +, system:cash -. */
export const deposit = (em: EntityManager, aml: AmlGate, userId: string, amount: Minor, key: string) =>
  moveCash(em, aml, 'deposit', userId, amount, key);

/** Cash out: requires an APPROVED KYC, an ACTIVE account and an unlocked wallet. */
export const withdraw = (em: EntityManager, aml: AmlGate, userId: string, amount: Minor, key: string) =>
  moveCash(em, aml, 'withdrawal', userId, amount, key);

/** One cash movement between the wallet and `system:cash`, audited, idempotent by `key`. */
async function moveCash(
  em: EntityManager,
  aml: AmlGate,
  kind: Movement,
  userId: string,
  amount: Minor,
  key: string,
): Promise<MoneyMovementResult> {
  const result = await moneyTransaction(em, async (tx) => {
    const state = await lockAccount(tx, userId);
    if (state.status === 'FROZEN') {
      throw new AppError('ACCOUNT_FROZEN', 'account is frozen pending a compliance review');
    }
    if (kind === 'withdrawal') {
      assertMayDebit(state);
      await assertNoComplianceHold(tx, userId);
      if (state.kycStatus !== 'APPROVED') {
        throw new AppError('KYC_REQUIRED', 'withdrawals need an approved KYC verification');
      }
    }
    const toWallet = kind === 'deposit' ? amount : -amount;
    const posted = await postTransaction(tx, {
      idempotencyKey: `${kind}-${userId}-${key}`,
      kind,
      request: { userId, amount },
      lines: [
        { account: walletAccount(userId), amount: toWallet },
        { account: systemAccount('cash'), amount: -toWallet },
      ],
    });
    const balance = await walletBalance(tx, userId);
    if (!posted.replayed && balance > MAX_BALANCE_MINOR) {
      // Thrown inside the transaction: the posting rolls back.
      throw new AppError('UNPROCESSABLE', 'this deposit would take the balance above the maximum');
    }
    if (!posted.replayed) {
      audit(tx, {
        actor: { type: 'USER', id: userId },
        action: `wallet.${kind}`,
        targetType: 'wallet',
        targetId: userId,
        after: { amount, transactionId: posted.id },
      });
      // The consequences commit with the movement, so a crash after the commit loses none of
      // them and a replayed request (same key) adds none.
      const consequences: OutboxMessage[] = [balanceEvent(userId, balance), amlCheckMessage(userId, kind)];
      if (kind === 'withdrawal') {
        const [user] = await tx.execute<{ email: string; full_name: string }[]>(
          `select email, full_name from users where id = ?`,
          [userId],
        );
        consequences.push(
          emailMessage(
            {
              template: 'withdrawal-approved',
              to: user!.email,
              data: { name: user!.full_name, amount: formatMinor(amount) },
            },
            `withdrawal-${posted.id}`,
          ),
        );
      }
      await recordOutbox(tx, ...consequences);
      if (kind === 'withdrawal')
        await recordWebhookEvent(tx, 'withdrawal.completed', {
          transactionId: posted.id,
          userId,
          amount,
          balance,
          completedAt: posted.createdAt.toISOString(),
        });
      // Decided before the commit, under the user's lock: the movement that crosses a FAIL
      // threshold commits with the freeze, and no later movement of the user commits at all.
      await aml.decideWithin(tx, userId, kind);
    }
    return {
      transactionId: posted.id,
      kind,
      amount,
      balance,
      createdAt: posted.createdAt.toISOString(),
    };
  });
  crashPoint(`wallet.${kind}.committed`, userId);
  return result;
}
