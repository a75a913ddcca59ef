import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000_foundation } from './Migration20261128000000_foundation';
import { Migration20261128100000_kyc } from './Migration20261128100000_kyc';
import { Migration20261128200000_trading } from './Migration20261128200000_trading';
import { Migration20261128300000_aml } from './Migration20261128300000_aml';
import { Migration20261130000000_outbox } from './Migration20261130000000_outbox';
import { Migration20261130100000_verified_birth_date } from './Migration20261130100000_verified_birth_date';
import { Migration20261201100000_webhooks } from './Migration20261201100000_webhooks';
import { Migration20261201100100_audit_chain } from './Migration20261201100100_audit_chain';
import { Migration20261201140000_aml_cases } from './Migration20261201140000_aml_cases';
import { Migration20261202300000_ledger_entry_kind } from './Migration20261202300000_ledger_entry_kind';

/**
 * Migrations are listed explicitly (not globbed) so the same list works from TypeScript
 * sources under jest and from compiled JavaScript in production. Append new ones in order.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261128000000_foundation', class: Migration20261128000000_foundation },
  { name: 'Migration20261128100000_kyc', class: Migration20261128100000_kyc },
  { name: 'Migration20261128200000_trading', class: Migration20261128200000_trading },
  { name: 'Migration20261128300000_aml', class: Migration20261128300000_aml },
  { name: 'Migration20261130000000_outbox', class: Migration20261130000000_outbox },
  { name: 'Migration20261130100000_verified_birth_date', class: Migration20261130100000_verified_birth_date },
  { name: 'Migration20261201100000_webhooks', class: Migration20261201100000_webhooks },
  { name: 'Migration20261201100100_audit_chain', class: Migration20261201100100_audit_chain },
  { name: 'Migration20261201140000_aml_cases', class: Migration20261201140000_aml_cases },
  { name: 'Migration20261202300000_ledger_entry_kind', class: Migration20261202300000_ledger_entry_kind },
];
