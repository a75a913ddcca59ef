import { Migration } from '@mikro-orm/migrations';

/**
 * AML cases as records: a case per investigation (at most one open per user), one finding row per
 * rule per case, the case's events (who, when, why) and admins' rule snoozes. Each finding of
 * `aml_checks` now carries its outcome on the ladder approve < review < block_and_review < decline.
 */
export class Migration20261201140000_aml_cases extends Migration {
  override async up(): Promise<void> {
    const outcomes = `('approve','review','block_and_review','decline')`;
    this.addSql(`alter table aml_checks add column outcome text null check (outcome in ${outcomes});`);
    this.addSql(`alter table aml_checks add column snoozed boolean not null default false;`);
    // Rows written before the ladder: the same mapping as rules.ts outcomeOf.
    this.addSql(`
      update aml_checks set outcome = case
        when result = 'PASS' then 'approve'
        when result = 'FAIL' and severity = 'CRITICAL' then 'decline'
        when (metadata->>'holdWithdrawals')::boolean is true then 'block_and_review'
        else 'review' end;`);
    this.addSql(`
      create table aml_cases (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users(id),
        status text not null default 'OPEN' check (status in ('OPEN','INVESTIGATING','CLOSED')),
        highest_outcome text not null check (highest_outcome in ${outcomes}),
        outcome text null check (outcome in ('CLEARED','KEEP_FROZEN','ESCALATED')),
        assignee_id uuid null references users(id),
        workflow_id text null,
        run_id text null,
        opened_at timestamptz not null default now(),
        closed_at timestamptz null,
        closed_by text null,
        reason text null,
        check ((status = 'CLOSED') = (outcome is not null)),
        check ((status = 'CLOSED') = (closed_at is not null))
      );`);
    // At most one open (OPEN or INVESTIGATING) case per user, whatever path opens it.
    this.addSql(`create unique index aml_cases_one_open_per_user on aml_cases (user_id) where status <> 'CLOSED';`);
    this.addSql(`create index aml_cases_status_opened_idx on aml_cases (status, opened_at desc);`);
    this.addSql(`create index aml_cases_user_idx on aml_cases (user_id, opened_at desc);`);
    this.addSql(`create index aml_cases_assignee_idx on aml_cases (assignee_id) where assignee_id is not null;`);
    this.addSql(`create index aml_cases_run_idx on aml_cases (run_id) where run_id is not null;`);
    this.addSql(`
      create table aml_case_findings (
        id uuid primary key default gen_random_uuid(),
        case_id uuid not null references aml_cases(id),
        rule text not null,
        highest_outcome text not null check (highest_outcome in ${outcomes}),
        count integer not null default 1 check (count > 0),
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null,
        last_check_id uuid null references aml_checks(id),
        last_notes text null,
        snoozed boolean not null default false,
        unique (case_id, rule)
      );`);
    this.addSql(`
      create table aml_case_events (
        id uuid primary key default gen_random_uuid(),
        case_id uuid not null references aml_cases(id),
        kind text not null check (kind in ('OPENED','FINDING_ADDED','FROZEN','ASSIGNED','NOTE','DECISION','SNOOZED','CLOSED')),
        actor_type text not null check (actor_type in ('USER','ADMIN','SYSTEM','PROVIDER')),
        actor_id text not null,
        reason text null,
        data jsonb null,
        -- clock_timestamp: several events of one transaction keep their order.
        created_at timestamptz not null default clock_timestamp()
      );`);
    this.addSql(`create index aml_case_events_case_idx on aml_case_events (case_id, created_at);`);
    this.addSql(`
      create table aml_rule_snoozes (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references users(id),
        rule text not null,
        until timestamptz not null,
        reason text not null,
        created_by uuid not null references users(id),
        created_at timestamptz not null default now(),
        check (until > created_at)
      );`);
    this.addSql(`create index aml_rule_snoozes_user_idx on aml_rule_snoozes (user_id, rule, until desc);`);
  }
}
