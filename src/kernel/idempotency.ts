import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from './errors';
import { requestHash } from './ledger';

export interface StoredResponse<T = unknown> {
  status: number;
  body: T;
}

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The `Idempotency-Key` header, required on money-moving requests. */
export function idempotencyKeyFrom(header: string | undefined): string {
  if (!header || !KEY.test(header)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Idempotency-Key header is required (8-128 characters of [A-Za-z0-9_.:-])',
      [{ path: ['Idempotency-Key'], message: 'required' }],
    );
  }
  return header;
}

/**
 * HTTP idempotency kept in PostgreSQL (instances are stateless): the same key with the same
 * request answers what the first one answered; with another request it is a 422. The work itself
 * must also be idempotent (ledger keys derived from the same key), which covers two identical
 * requests racing each other: the loser stores nothing and answers the winner's response.
 */
export async function idempotent<T>(
  em: EntityManager,
  ref: { scope: string; key: string; request: unknown },
  work: () => Promise<StoredResponse<T>>,
): Promise<StoredResponse<T>> {
  const hash = requestHash(ref.request);
  const stored = await find<T>(em, ref.scope, ref.key);
  if (stored) return check(stored, hash);
  const response = await work();
  const inserted = await em.execute(
    `insert into idempotency_records (scope, key, request_hash, status_code, response) values (?, ?, ?, ?, ?)
     on conflict (scope, key) do nothing returning 1`,
    [ref.scope, ref.key, hash, response.status, JSON.stringify(response.body)],
  );
  if (inserted.length === 0) return check((await find<T>(em, ref.scope, ref.key))!, hash);
  return response;
}

async function find<T>(em: EntityManager, scope: string, key: string) {
  const rows = await em.execute<{ request_hash: string; status_code: number; response: T }[]>(
    `select request_hash, status_code, response from idempotency_records where scope = ? and key = ?`,
    [scope, key],
  );
  return rows[0];
}

function check<T>(stored: { request_hash: string; status_code: number; response: T }, hash: string): StoredResponse<T> {
  if (stored.request_hash !== hash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request');
  }
  return { status: stored.status_code, body: stored.response };
}
