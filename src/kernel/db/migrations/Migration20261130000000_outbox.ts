import { Migration } from '@mikro-orm/migrations';

/**
 * Transactional outbox: every consequence that leaves the database (a job, a live event, an AML
 * run, a workflow signal) is a row written in the transaction of the change that causes it.
 * The relay delivers rows at least once; `key` lets a retried writer add a row only once.
 */
export class Migration20261130000000_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table outbox (
        id uuid primary key default gen_random_uuid(),
        -- Which deployment relays the row: set per connection (app.outbox_channel), so several
        -- deployments (or test runs) sharing a database never deliver each other's rows.
        channel text not null default coalesce(current_setting('app.outbox_channel', true), ''),
        topic text not null,
        key text null unique,
        payload jsonb not null,
        created_at timestamptz not null default clock_timestamp(),
        available_at timestamptz not null default clock_timestamp(),
        attempts int not null default 0,
        last_error text null,
        delivered_at timestamptz null
      );`);
    this.addSql(`create index outbox_pending_idx on outbox (channel, available_at) where delivered_at is null;`);
    this.addSql(`create index outbox_delivered_idx on outbox (delivered_at) where delivered_at is not null;`);
    // Wakes the relay as soon as a transaction that wrote rows commits (NOTIFY is sent at commit).
    this.addSql(`
      create function outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('outbox', '');
        return null;
      end $$;`);
    this.addSql(
      `create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();`,
    );
    // An AML run delivered twice by the relay records its findings once.
    this.addSql(`alter table aml_checks add column run_id text null;`);
    this.addSql(`create index aml_checks_run_idx on aml_checks (run_id) where run_id is not null;`);
  }
}
