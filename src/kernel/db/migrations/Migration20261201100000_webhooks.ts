import { Migration } from '@mikro-orm/migrations';

/**
 * Signed outbound webhooks: the endpoints integrators registered, the events sent to them (the
 * exact bytes that were signed), one delivery per event and endpoint, and every attempt of it.
 */
export class Migration20261201100000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table webhook_endpoints (
        id uuid primary key default gen_random_uuid(),
        url text not null,
        event_types text[] not null check (cardinality(event_types) > 0),
        -- HMAC keys must be usable to sign, so they are stored as given; only MASTER reads them, once.
        secret text not null,
        -- During a rotation the previous secret signs too (a second v1=) until this instant.
        previous_secret text null,
        previous_secret_expires_at timestamptz null,
        enabled boolean not null default true,
        description text null,
        created_by uuid null references users(id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check ((previous_secret is null) = (previous_secret_expires_at is null))
      );`);

    this.addSql(`
      create table webhook_outbound_events (
        id uuid primary key,
        type text not null,
        -- The request body as sent on every attempt: signatures are over these bytes.
        body text not null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index webhook_outbound_events_created_idx on webhook_outbound_events (created_at);`);

    this.addSql(`
      create table webhook_deliveries (
        id uuid primary key default gen_random_uuid(),
        event_id uuid not null references webhook_outbound_events(id),
        endpoint_id uuid not null references webhook_endpoints(id),
        status text not null default 'PENDING' check (status in ('PENDING','RETRYING','DELIVERED','FAILED')),
        attempts int not null default 0,
        redeliveries int not null default 0,
        last_status_code int null,
        last_error text null,
        next_attempt_at timestamptz null,
        delivered_at timestamptz null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (event_id, endpoint_id)
      );`);
    this.addSql(`create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at);`);
    this.addSql(`create index webhook_deliveries_status_idx on webhook_deliveries (status, created_at);`);

    this.addSql(`
      create table webhook_delivery_attempts (
        id bigserial primary key,
        delivery_id uuid not null references webhook_deliveries(id),
        attempt int not null,
        job_id text null,
        started_at timestamptz not null,
        latency_ms int not null,
        status_code int null,
        succeeded boolean not null,
        error text null,
        response_excerpt text null
      );`);
    this.addSql(`create index webhook_delivery_attempts_delivery_idx on webhook_delivery_attempts (delivery_id, id);`);
  }
}
