import { Migration } from '@mikro-orm/migrations';

/**
 * Hash-chained audit log. Each row gets its place in the chain (`seq`, 1, 2, 3, ... in the order
 * rows were chained), the previous row's hash (`prev_hash`, 64 zeros for the first) and its own
 * `hash` = hex(SHA-256(prev_hash || canonical content)). A BEFORE INSERT trigger computes them in
 * the database, so no code path can skip or forge them (values sent by a client are overwritten).
 *
 * One chain under concurrency: the trigger locks the single row of `audit_chain_head`
 * (FOR UPDATE) and holds it until its transaction ends, so concurrent inserts take turns and each
 * one chains onto the latest committed head. (Under READ COMMITTED, FOR UPDATE returns the newest
 * version of the head after the wait; a REPEATABLE READ transaction gets a serialization failure
 * instead of a fork.) The head also records the end of the chain, so rows removed from its end
 * are detected too.
 *
 * The canonical content is a self-delimiting concatenation of the row's fields as PostgreSQL
 * prints them: `audit-v1`, then for each field either `~` (SQL NULL) or `<octet length>:<text>`,
 * in this order: seq, id, actor_type, actor_id, action, target_type, target_id, before::text,
 * after::text, reason, created_at in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
 * `scripts/audit-verify.ts` (src/kernel/audit-chain.ts) recomputes it independently.
 */
export class Migration20261201100100_audit_chain extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table audit_logs add column seq bigint null, add column prev_hash text null, add column hash text null;`,
    );

    this.addSql(`
      create table audit_chain_head (
        id int primary key check (id = 1),
        last_seq bigint not null,
        last_hash text not null,
        last_id bigint null,
        updated_at timestamptz not null default now()
      );`);

    this.addSql(`
      create function audit_log_field(v text) returns text language sql immutable as $$
        select case when v is null then '~' else octet_length(v)::text || ':' || v end
      $$;`);
    this.addSql(`
      create function audit_log_canonical(r audit_logs) returns text language sql stable as $$
        select 'audit-v1'
          || audit_log_field(r.seq::text)
          || audit_log_field(r.id::text)
          || audit_log_field(r.actor_type)
          || audit_log_field(r.actor_id)
          || audit_log_field(r.action)
          || audit_log_field(r.target_type)
          || audit_log_field(r.target_id)
          || audit_log_field(r.before::text)
          || audit_log_field(r.after::text)
          || audit_log_field(r.reason)
          || audit_log_field(to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      $$;`);
    this.addSql(`
      create function audit_log_hash(prev_hash text, r audit_logs) returns text language sql stable as $$
        select encode(sha256(convert_to(prev_hash || audit_log_canonical(r), 'UTF8')), 'hex')
      $$;`);

    // Existing rows, in id order (their insertion order so far), chained once here.
    this.addSql(`alter table audit_logs disable trigger audit_logs_append_only;`);
    this.addSql(`
      do $$
      declare
        r audit_logs;
        prev text := repeat('0', 64);
        n bigint := 0;
        last bigint := null;
      begin
        for r in select * from audit_logs order by id loop
          n := n + 1;
          r.seq := n;
          r.prev_hash := prev;
          r.hash := audit_log_hash(prev, r);
          update audit_logs set seq = r.seq, prev_hash = r.prev_hash, hash = r.hash where id = r.id;
          prev := r.hash;
          last := r.id;
        end loop;
        insert into audit_chain_head (id, last_seq, last_hash, last_id) values (1, n, prev, last);
      end $$;`);
    this.addSql(`alter table audit_logs enable trigger audit_logs_append_only;`);
    this.addSql(`
      alter table audit_logs
        alter column seq set not null,
        alter column prev_hash set not null,
        alter column hash set not null,
        add constraint audit_logs_seq_key unique (seq);`);

    this.addSql(`
      create function audit_logs_chain() returns trigger language plpgsql as $$
      declare
        head audit_chain_head%rowtype;
      begin
        select * into head from audit_chain_head where id = 1 for update;
        if not found then
          raise exception 'audit_chain_head is missing: the audit chain cannot continue';
        end if;
        new.seq := head.last_seq + 1;
        new.prev_hash := head.last_hash;
        new.hash := audit_log_hash(new.prev_hash, new);
        update audit_chain_head
          set last_seq = new.seq, last_hash = new.hash, last_id = new.id, updated_at = clock_timestamp()
          where id = 1;
        return new;
      end $$;`);
    this.addSql(
      `create trigger audit_logs_chain before insert on audit_logs for each row execute function audit_logs_chain();`,
    );
    // Append-only also against TRUNCATE, and the head is never removed.
    this.addSql(`create trigger audit_logs_no_truncate before truncate on audit_logs
      for each statement execute function refuse_change();`);
    this.addSql(`create trigger audit_chain_head_keep before delete on audit_chain_head
      for each row execute function refuse_change();`);
    this.addSql(`create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
      for each statement execute function refuse_change();`);
  }
}
