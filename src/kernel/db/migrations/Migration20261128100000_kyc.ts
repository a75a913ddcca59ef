import { Migration } from '@mikro-orm/migrations';

/** KYC cases (one per user) and the provider webhook deliveries used for deduplication. */
export class Migration20261128100000_kyc extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table kyc (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null unique references users(id) on delete cascade,
        status text not null check (status in ('NOT_STARTED','PENDING','APPROVED','REJECTED')),
        provider text not null check (provider in ('LOCAL','SUMSUB','ONFIDO','VERIFF')),
        provider_id text null,
        documents jsonb null,
        notes text null,
        reviewed_by text null,
        approved_at timestamptz null,
        rejected_at timestamptz null,
        workflow_id text not null,
        attempts integer not null default 1,
        awaiting_user boolean not null default false,
        needs_manual_review boolean not null default false,
        last_provider_event_at timestamptz null,
        last_provider_event jsonb null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`create index kyc_status_idx on kyc (status);`);
    this.addSql(`create index kyc_provider_id_idx on kyc (provider, provider_id);`);

    this.addSql(`
      create table webhook_events (
        id bigserial primary key,
        provider text not null,
        event_id text not null,
        user_id uuid null,
        provider_id text null,
        outcome text not null,
        received_at timestamptz not null default now(),
        unique (provider, event_id)
      );`);
  }
}
