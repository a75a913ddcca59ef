import type { EntityManager } from '@mikro-orm/postgresql';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

export const isRetryableConflict = (err: unknown): boolean =>
  RETRYABLE.has(String((err as { code?: unknown })?.code ?? ''));

/**
 * Runs a money transaction, retrying it (3 attempts in all, with jitter) when PostgreSQL aborts it
 * for a serialization failure or a deadlock: both roll everything back, so running the whole
 * function again is safe, and the ledger's idempotency keys make a retry after an unknown
 * outcome a no-op. Locks are taken in one global order (user, then wallet, then trade or case),
 * so a deadlock should not happen; the retry is the safety net, not the design.
 */
export async function moneyTransaction<T>(
  em: EntityManager,
  work: (tx: EntityManager) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.transactional(work);
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 40));
    }
  }
}

/**
 * The first statement of a money transaction on a user: locks the user row (FOR NO KEY UPDATE,
 * the strongest lock any money path needs on it, so it is never upgraded; foreign-key checks'
 * KEY SHARE locks still pass) and reads what the guards need. Serializes every movement of one
 * user, and the AML decision taken inside it, with the freeze.
 */
export async function lockUser(
  tx: EntityManager,
  userId: string,
): Promise<{ status: string; kycStatus: string } | undefined> {
  const [row] = await tx.execute<{ status: string; kyc_status: string }[]>(
    `select status, kyc_status from users where id = ? for no key update`,
    [userId],
  );
  return row ? { status: row.status, kycStatus: row.kyc_status } : undefined;
}
