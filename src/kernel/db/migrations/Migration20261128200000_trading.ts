import { Migration } from '@mikro-orm/migrations';

/** Price ticks, binary-option trades, spot trades and HTTP idempotency records. */
export class Migration20261128200000_trading extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table price_ticks (
        symbol text not null,
        at timestamptz not null,
        price bigint not null check (price > 0),
        primary key (symbol, at)
      );`);

    this.addSql(`
      create table binary_trades (
        id uuid primary key,
        user_id uuid not null references users(id),
        symbol text not null,
        direction text not null check (direction in ('UP','DOWN')),
        stake bigint not null check (stake > 0),
        payout_rate_bps integer not null,
        open_price bigint not null,
        close_price bigint null,
        payout bigint null,
        status text not null default 'OPEN' check (status in ('OPEN','WON','LOST','TIE','SETTLEMENT_FAILED')),
        opened_at timestamptz not null,
        expires_at timestamptz not null,
        settled_at timestamptz null,
        settle_fence bigint not null default 0,
        failure text null,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index binary_trades_user_status_idx on binary_trades (user_id, status, opened_at desc);`);
    this.addSql(`create index binary_trades_open_expiry_idx on binary_trades (expires_at) where status = 'OPEN';`);

    this.addSql(`
      create table trades (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users(id),
        symbol text not null,
        side text not null check (side in ('BUY','SELL')),
        quantity numeric(30, 8) not null check (quantity > 0),
        price bigint not null check (price > 0),
        notional bigint not null check (notional > 0),
        executed_at timestamptz not null default now()
      );`);
    this.addSql(`create index trades_user_executed_idx on trades (user_id, executed_at);`);

    this.addSql(`
      create table idempotency_records (
        scope text not null,
        key text not null,
        request_hash text not null,
        status_code integer not null,
        response jsonb not null,
        created_at timestamptz not null default now(),
        primary key (scope, key)
      );`);
  }
}
