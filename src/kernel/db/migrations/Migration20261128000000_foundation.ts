import { Migration } from '@mikro-orm/migrations';

/** Users, wallets, the double-entry ledger and the append-only audit log. */
export class Migration20261128000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists pgcrypto;`);

    this.addSql(`
      create table users (
        id uuid primary key default gen_random_uuid(),
        email text not null unique,
        password_hash text not null,
        full_name text not null,
        role text not null default 'USER' check (role in ('USER','ADMIN','MASTER')),
        status text not null default 'ACTIVE' check (status in ('ACTIVE','FROZEN')),
        country char(2) not null check (country ~ '^[A-Z]{2}$'),
        date_of_birth date null,
        kyc_status text not null default 'NOT_STARTED'
          check (kyc_status in ('NOT_STARTED','PENDING','APPROVED','REJECTED')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);

    this.addSql(`
      create table wallets (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null unique references users(id) on delete cascade,
        currency char(3) not null default 'USD',
        balance bigint not null default 0 check (balance >= 0),
        locked boolean not null default false,
        locked_reason text null,
        version integer not null default 1,
        updated_at timestamptz not null default now()
      );`);

    this.addSql(`
      create table ledger_transactions (
        id uuid primary key default gen_random_uuid(),
        idempotency_key text not null unique,
        kind text not null,
        request_hash text not null,
        metadata jsonb null,
        created_at timestamptz not null default now()
      );`);

    this.addSql(`
      create table ledger_entries (
        id bigserial primary key,
        transaction_id uuid not null references ledger_transactions(id),
        account text not null,
        user_id uuid null references users(id),
        amount bigint not null check (amount <> 0),
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index ledger_entries_transaction_idx on ledger_entries (transaction_id);`);
    this.addSql(`create index ledger_entries_user_created_idx on ledger_entries (user_id, created_at);`);
    this.addSql(`create index ledger_entries_account_idx on ledger_entries (account);`);

    // Every transaction balances: checked at commit, so entries can be inserted one by one.
    this.addSql(`
      create function ledger_transaction_balances() returns trigger language plpgsql as $$
      declare total bigint;
      begin
        select coalesce(sum(amount), 0) into total from ledger_entries where transaction_id = new.transaction_id;
        if total <> 0 then
          raise exception 'ledger transaction % does not balance (sum %)', new.transaction_id, total;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create constraint trigger ledger_entries_balance
        after insert on ledger_entries deferrable initially deferred
        for each row execute function ledger_transaction_balances();`);

    this.addSql(`
      create table audit_logs (
        id bigserial primary key,
        actor_type text not null check (actor_type in ('USER','ADMIN','SYSTEM','PROVIDER')),
        actor_id text not null,
        action text not null,
        target_type text not null,
        target_id text not null,
        before jsonb null,
        after jsonb null,
        reason text null,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index audit_logs_target_idx on audit_logs (target_type, target_id, created_at);`);
    this.addSql(`create index audit_logs_actor_idx on audit_logs (actor_id, created_at);`);

    // Append-only: entries and audit rows are never rewritten.
    this.addSql(`
      create function refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only', tg_table_name;
      end $$;`);
    this.addSql(`create trigger audit_logs_append_only before update or delete on audit_logs
      for each row execute function refuse_change();`);
    this.addSql(`create trigger ledger_entries_append_only before update or delete on ledger_entries
      for each row execute function refuse_change();`);
  }
}
