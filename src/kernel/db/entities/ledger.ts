import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * Double-entry ledger. A LedgerTransaction is one money movement, identified by a unique
 * idempotency key; its entries always sum to zero (enforced by a deferred constraint trigger).
 * Accounts are strings: `wallet:<userId>` for user wallets, `system:<name>` for the house side.
 */
export class LedgerTransaction {
  [OptionalProps]?: 'createdAt';
  id!: string;
  idempotencyKey!: string;
  kind!: string;
  /** Hash of the request that created it, so a reused key with a different request is caught. */
  requestHash!: string;
  metadata?: Record<string, unknown> | null;
  createdAt: Date = new Date();
}

export class LedgerEntry {
  [OptionalProps]?: 'createdAt';
  id!: number;
  transactionId!: string;
  account!: string;
  userId?: string | null;
  /** Signed integer minor units: positive credits the account, negative debits it. */
  amount!: number;
  createdAt: Date = new Date();
}

export const LedgerTransactionSchema = new EntitySchema<LedgerTransaction>({
  class: LedgerTransaction,
  tableName: 'ledger_transactions',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    idempotencyKey: { type: 'string', unique: true },
    kind: { type: 'string' },
    requestHash: { type: 'string' },
    metadata: { type: 'json', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});

export const LedgerEntrySchema = new EntitySchema<LedgerEntry>({
  class: LedgerEntry,
  tableName: 'ledger_entries',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    transactionId: { type: 'uuid' },
    account: { type: 'string' },
    userId: { type: 'uuid', nullable: true },
    amount: { type: new BigIntType('number') },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});
