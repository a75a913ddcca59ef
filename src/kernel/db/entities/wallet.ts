import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';

/** One wallet per user. `balance` is a projection of the ledger kept in the same transaction. */
export class Wallet {
  [OptionalProps]?: 'currency' | 'balance' | 'locked' | 'version' | 'updatedAt' | 'lockedReason';
  id!: string;
  userId!: string;
  currency = 'USD';
  /** Integer minor units. */
  balance = 0;
  locked = false;
  lockedReason?: string | null;
  version = 1;
  updatedAt: Date = new Date();
}

export const WalletSchema = new EntitySchema<Wallet>({
  class: Wallet,
  tableName: 'wallets',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    userId: { type: 'uuid', unique: true },
    currency: { type: 'string', length: 3 },
    balance: { type: new BigIntType('number') },
    locked: { type: 'boolean' },
    lockedReason: { type: 'string', nullable: true },
    version: { type: 'integer', version: true },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
