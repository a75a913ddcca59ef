import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The AML decision a money movement takes inside its own transaction, after posting and while it
 * holds the user's lock: the rules that can decide at once run there, and a FAIL/CRITICAL finding
 * freezes the account in the same commit. Implemented by AmlChecks.
 */
export interface AmlGate {
  decideWithin(tx: EntityManager, userId: string, trigger: string): Promise<{ frozen: boolean }>;
}
