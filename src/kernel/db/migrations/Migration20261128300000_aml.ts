import { Migration } from '@mikro-orm/migrations';

/** The seed's AMLCheck: one row per non-PASS finding (and a PASS summary when all pass). */
export class Migration20261128300000_aml extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table aml_checks (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users(id),
        check_type text not null,
        severity text not null check (severity in ('LOW','MEDIUM','HIGH','CRITICAL')),
        result text not null check (result in ('PASS','FAIL','REVIEW')),
        metadata jsonb null,
        notes text null,
        resolved_by text null,
        resolved_at timestamptz null,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index aml_checks_user_idx on aml_checks (user_id, created_at desc);`);
    this.addSql(`create index aml_checks_result_idx on aml_checks (result);`);
    this.addSql(`create index aml_checks_severity_idx on aml_checks (severity);`);
    this.addSql(`create index aml_checks_created_idx on aml_checks (created_at);`);
    this.addSql(
      `create index aml_checks_unresolved_idx on aml_checks (created_at) where resolved_at is null and result <> 'PASS';`,
    );
    // The snapshot sums ledger rows by kind and time.
    this.addSql(`create index ledger_transactions_kind_created_idx on ledger_transactions (kind, created_at);`);
    this.addSql(`create index binary_trades_user_opened_idx on binary_trades (user_id, opened_at);`);
  }
}
