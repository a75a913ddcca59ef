import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from './errors';
import type { Minor } from './money';

export const walletAccount = (userId: string) => `wallet:${userId}`;
export const systemAccount = (name: string) => `system:${name}`;
const WALLET_PREFIX = 'wallet:';

export interface LedgerLine {
  account: string;
  /** Signed minor units; the lines of one transaction sum to zero. */
  amount: Minor;
}

export interface PostTransaction {
  idempotencyKey: string;
  kind: string;
  lines: LedgerLine[];
  /** What the caller asked for; a reused key with a different request is refused (422). */
  request: unknown;
  metadata?: Record<string, unknown>;
  /** Credits into a locked wallet are allowed (refunds, payouts); debits never are. */
  allowDebitFromLockedWallet?: boolean;
}

export interface PostedTransaction {
  id: string;
  idempotencyKey: string;
  kind: string;
  /** True when the key had been used before and nothing moved this time. */
  replayed: boolean;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export const requestHash = (request: unknown) => createHash('sha256').update(stableJson(request)).digest('hex');

/**
 * Moves money. Must run inside a database transaction (`em.transactional`): wallet rows are locked
 * FOR UPDATE in a fixed order, balances may not go negative, the entries are inserted and the
 * wallet projections updated together. The unique idempotency key makes a retry a no-op.
 */
export async function postTransaction(em: EntityManager, tx: PostTransaction): Promise<PostedTransaction> {
  if (!em.isInTransaction()) throw new Error('postTransaction must run inside a transaction');
  validateLines(tx.lines);
  const hash = requestHash(tx.request);

  const inserted = await em.execute<{ id: string; created_at: Date }[]>(
    `insert into ledger_transactions (idempotency_key, kind, request_hash, metadata)
     values (?, ?, ?, ?) on conflict (idempotency_key) do nothing returning id, created_at`,
    [tx.idempotencyKey, tx.kind, hash, JSON.stringify(tx.metadata ?? null)],
  );
  if (inserted.length === 0) {
    return replay(em, tx.idempotencyKey, hash);
  }
  const { id, created_at } = inserted[0]!;

  // Sum per wallet, then lock the wallets in id order so two transfers cannot deadlock.
  const perUser = new Map<string, number>();
  for (const line of tx.lines) {
    if (line.account.startsWith(WALLET_PREFIX)) {
      const userId = line.account.slice(WALLET_PREFIX.length);
      perUser.set(userId, (perUser.get(userId) ?? 0) + line.amount);
    }
  }
  const userIds = [...perUser.keys()].sort();
  if (userIds.length > 0) {
    const wallets = await em.execute<{ user_id: string; balance: string; locked: boolean }[]>(
      `select user_id, balance, locked from wallets where user_id in (${userIds.map(() => '?').join(',')})
       order by user_id for update`,
      userIds,
    );
    for (const userId of userIds) {
      const wallet = wallets.find((w) => w.user_id === userId);
      if (!wallet) throw new AppError('NOT_FOUND', 'wallet not found');
      const delta = perUser.get(userId)!;
      if (delta < 0 && wallet.locked && !tx.allowDebitFromLockedWallet) {
        throw new AppError('WALLET_LOCKED', 'wallet is locked');
      }
      if (Number(wallet.balance) + delta < 0) {
        throw new AppError('INSUFFICIENT_FUNDS', 'insufficient balance', {
          balance: Number(wallet.balance),
          required: -delta,
        });
      }
      await em.execute(
        `update wallets set balance = balance + ?, version = version + 1, updated_at = now() where user_id = ?`,
        [delta, userId],
      );
    }
  }

  for (const line of tx.lines) {
    const userId = line.account.startsWith(WALLET_PREFIX) ? line.account.slice(WALLET_PREFIX.length) : null;
    await em.execute(`insert into ledger_entries (transaction_id, account, user_id, amount) values (?, ?, ?, ?)`, [
      id,
      line.account,
      userId,
      line.amount,
    ]);
  }
  return {
    id,
    idempotencyKey: tx.idempotencyKey,
    kind: tx.kind,
    replayed: false,
    metadata: tx.metadata ?? null,
    createdAt: new Date(created_at),
  };
}

async function replay(em: EntityManager, key: string, hash: string): Promise<PostedTransaction> {
  const rows = await em.execute<
    { id: string; kind: string; request_hash: string; metadata: Record<string, unknown> | null; created_at: Date }[]
  >(`select id, kind, request_hash, metadata, created_at from ledger_transactions where idempotency_key = ?`, [key]);
  const existing = rows[0];
  if (!existing) throw new Error(`ledger transaction ${key} vanished`);
  if (existing.request_hash !== hash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'idempotency key was already used for a different request');
  }
  return {
    id: existing.id,
    idempotencyKey: key,
    kind: existing.kind,
    replayed: true,
    metadata: existing.metadata,
    createdAt: new Date(existing.created_at),
  };
}

function validateLines(lines: LedgerLine[]): void {
  if (lines.length < 2) throw new Error('a ledger transaction needs at least two lines');
  let sum = 0;
  for (const l of lines) {
    if (!Number.isSafeInteger(l.amount) || l.amount === 0) throw new Error(`bad ledger amount ${l.amount}`);
    sum += l.amount;
  }
  if (sum !== 0) throw new Error(`ledger lines do not balance (sum ${sum})`);
}

/** JSON with sorted keys, so equal requests hash equally whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export async function walletBalance(em: EntityManager, userId: string): Promise<Minor> {
  const rows = await em.execute<{ balance: string }[]>(`select balance from wallets where user_id = ?`, [userId]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'wallet not found');
  return Number(rows[0].balance);
}
