import { AuditLogSchema } from './audit-log';
import { KycSchema, WebhookEventSchema } from './kyc';
import { LedgerEntrySchema, LedgerTransactionSchema } from './ledger';
import { UserSchema } from './user';
import { WalletSchema } from './wallet';

export * from './audit-log';
export * from './kyc';
export * from './ledger';
export * from './user';
export * from './wallet';

/** Every entity the ORM knows. Each feature adds its schemas here. */
export const entities = [
  UserSchema,
  WalletSchema,
  LedgerTransactionSchema,
  LedgerEntrySchema,
  AuditLogSchema,
  KycSchema,
  WebhookEventSchema,
];
