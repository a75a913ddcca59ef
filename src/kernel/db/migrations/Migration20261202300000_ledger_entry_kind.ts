import { Migration } from '@mikro-orm/migrations';

/**
 * Each ledger entry carries its transaction's kind, copied by a trigger at insert, and the user's
 * entries are indexed by time with kind and amount included: the AML snapshot reads a user's
 * window from this one index instead of joining `ledger_transactions` by kind, which the planner
 * turned into a sequential scan of every user's transactions for a busy user (140 ms at 1M
 * entries). The index replaces `ledger_entries_user_created_idx` (same leading columns).
 */
export class Migration20261202300000_ledger_entry_kind extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ledger_entries add column kind text null;`);
    // Entries are append-only; the backfill is the one sanctioned change, with the guard off for it.
    this.addSql(`alter table ledger_entries disable trigger ledger_entries_append_only;`);
    this.addSql(`update ledger_entries e set kind = t.kind from ledger_transactions t where t.id = e.transaction_id;`);
    this.addSql(`alter table ledger_entries enable trigger ledger_entries_append_only;`);
    this.addSql(`alter table ledger_entries alter column kind set not null;`);
    this.addSql(`
      create function ledger_entry_kind() returns trigger language plpgsql as $$
      begin
        new.kind := (select kind from ledger_transactions where id = new.transaction_id);
        return new;
      end $$;`);
    this.addSql(`create trigger ledger_entries_kind before insert on ledger_entries
      for each row execute function ledger_entry_kind();`);
    this.addSql(
      `create index ledger_entries_user_created_kind_idx on ledger_entries (user_id, created_at) include (kind, amount);`,
    );
    this.addSql(`drop index ledger_entries_user_created_idx;`);
  }
}
