import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../kernel/db/entities/user';

/** Read models of the console's screens (plain SQL, read-only). */

/** A row as PostgreSQL returns it (snake_case columns). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Row = Record<string, any>;

export interface KycQueueItem {
  userId: string;
  email: string;
  fullName: string;
  provider: string;
  providerId: string | null;
  attempts: number;
  awaitingUser: boolean;
  needsManualReview: boolean;
  lastProviderEvent: Record<string, unknown> | null;
  lastProviderEventAt: Date | null;
  documents: unknown;
  createdAt: Date;
  workflowId: string;
}

/** Pending and manual-review cases, oldest first. */
export async function kycQueue(em: EntityManager, limit = 100): Promise<KycQueueItem[]> {
  const rows = await em.execute<Row[]>(
    `select k.*, u.email, u.full_name from kyc k join users u on u.id = k.user_id
     where k.status = 'PENDING' order by k.created_at asc, k.user_id limit ?`,
    [limit],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    fullName: r.full_name,
    provider: r.provider,
    providerId: r.provider_id,
    attempts: r.attempts,
    awaitingUser: r.awaiting_user,
    needsManualReview: r.needs_manual_review,
    lastProviderEvent: r.last_provider_event,
    lastProviderEventAt: r.last_provider_event_at,
    documents: r.documents,
    createdAt: new Date(r.created_at),
    workflowId: r.workflow_id,
  }));
}

/** A user found by id or by email (case-insensitive, exact). */
export async function findUser(em: EntityManager, query: string) {
  const q = query.trim();
  const byId = /^[0-9a-f-]{36}$/i.test(q);
  const [user] = await em.execute<Row[]>(
    `select u.id, u.email, u.full_name, u.role, u.status, u.country, u.kyc_status, u.created_at,
            w.balance, w.currency, w.locked, w.locked_reason
     from users u left join wallets w on w.user_id = u.id
     where ${byId ? 'u.id = ?::uuid' : 'u.email = lower(?)'}`,
    [q],
  );
  return user ?? null;
}

export async function kycOf(em: EntityManager, userId: string) {
  const [row] = await em.execute<Row[]>(`select * from kyc where user_id = ?`, [userId]);
  return row ?? null;
}

/** The user's latest money movements: ledger entries on their account, with the transaction kind. */
export async function moneyMovements(em: EntityManager, userId: string, limit = 20) {
  return em.execute<Row[]>(
    `select e.amount, e.account, e.created_at, t.kind, t.idempotency_key
     from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
     where e.user_id = ? order by e.created_at desc, e.id desc limit ?`,
    [userId, limit],
  );
}

export async function failedSettlements(em: EntityManager, limit = 100) {
  return em.execute<Row[]>(
    `select t.id, t.user_id, u.email, t.symbol, t.direction, t.stake, t.open_price, t.status, t.failure,
            t.expires_at, t.opened_at
     from binary_trades t join users u on u.id = t.user_id
     where t.status = 'SETTLEMENT_FAILED' order by t.expires_at asc limit ?`,
    [limit],
  );
}

export async function tradeById(em: EntityManager, id: string) {
  const [row] = await em.execute<Row[]>(
    `select t.*, u.email from binary_trades t join users u on u.id = t.user_id where t.id = ?`,
    [id],
  );
  return row ?? null;
}

export async function emailsOf(em: EntityManager, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await em.find(User, { id: { $in: ids } }, { fields: ['id', 'email'] });
  return new Map(rows.map((r) => [r.id, r.email]));
}
