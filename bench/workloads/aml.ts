/**
 * AML checks for one user (the rules a money movement evaluates inside its transaction,
 * `AmlChecks.decideWithin`) with 1k, 100k and 1M ledger entries in the table ('ci' stops at
 * 100k). Each size is its own database, migrated here. The measured user is a busy one with a
 * fixed window: 100 deposits (200 entries) over the last 6 days. The rest of the table is history
 * older than the rules' 7-day window, shared by that user and 10 others, so only the table grows
 * with the size, not the window the rules read. Goal: p99 < 10 ms at every size, flat in size.
 */
import { Client } from 'pg';
import { loadConfig } from '../../src/kernel/config';
import { createOrm, migrate } from '../../src/kernel/db/orm';
import { AmlChecks, amlThresholdsFromConfig } from '../../src/features/aml/checks';
import type { AbsoluteCheck, BenchEnv, Prepared, Workload } from '../harness/types';

const CHECKS_PER_ROUND = 200;
const OTHER_USERS = 10;
const WINDOW_DEPOSITS = 100;

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin(url: string, sql: string) {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Users with wallets and `entries` ledger entries (two per transaction); returns the measured user's id. */
async function fill(url: string, entries: number, log: (m: string) => void): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const started = Date.now();
    await client.query(
      `insert into users (email, password_hash, full_name, country)
       select 'bench-' || g || '@example.test', 'x', 'Bench User ' || g, 'DE' from generate_series(0, $1) g`,
      [OTHER_USERS],
    );
    await client.query(`insert into wallets (user_id, balance) select id, 1000000 from users`);
    const [{ id: userId }] = (
      await client.query<{ id: string }>(`select id from users where email = 'bench-0@example.test'`)
    ).rows;
    // History older than the window: transaction i belongs to user i mod (OTHER_USERS + 1).
    await client.query(
      `with u as (select id, row_number() over (order by email) - 1 as n from users),
       tx as (
         insert into ledger_transactions (idempotency_key, kind, request_hash, created_at)
         select 'bench-' || g, case when g % 3 = 0 then 'withdrawal' else 'deposit' end, 'h',
                now() - interval '7 days' - (random() * interval '723 days')
         from generate_series(1, $1) g
         returning id, idempotency_key, kind, created_at
       )
       insert into ledger_entries (transaction_id, account, user_id, amount, created_at)
       select tx.id, side.account, side.user_id, side.amount, tx.created_at
       from tx
       join u on u.n = (substr(tx.idempotency_key, 7)::bigint % $2)
       cross join lateral (values
         ('wallet:' || u.id, u.id, case when tx.kind = 'deposit' then 1000 else -1000 end),
         ('system:bench', null::uuid, case when tx.kind = 'deposit' then -1000 else 1000 end)
       ) side(account, user_id, amount)`,
      [Math.max(0, Math.floor(entries / 2) - WINDOW_DEPOSITS), OTHER_USERS + 1],
    );
    // The measured user's window: deposits every 86 minutes over the last 6 days, under every limit.
    await client.query(
      `with tx as (
         insert into ledger_transactions (idempotency_key, kind, request_hash, created_at)
         select 'bench-me-' || g, 'deposit', 'h', now() - g * interval '86 minutes'
         from generate_series(1, ${WINDOW_DEPOSITS}) g
         returning id, created_at
       )
       insert into ledger_entries (transaction_id, account, user_id, amount, created_at)
       select tx.id, side.account, side.user_id, side.amount, tx.created_at from tx
       cross join lateral (values ('wallet:' || $1, $1::uuid, 1000), ('system:bench', null::uuid, -1000))
         side(account, user_id, amount)`,
      [userId],
    );
    await client.query('analyze');
    const [{ n }] = (await client.query<{ n: string }>('select count(*) n from ledger_entries')).rows;
    log(`${n} ledger entries in ${Date.now() - started} ms`);
    return userId;
  } finally {
    await client.end();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export const workload: Workload = {
  name: 'aml',
  title: 'AML checks for one user (decideWithin) at 1k / 100k / 1M ledger entries',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const sizes = env.size === 'full' ? [1_000, 100_000, 1_000_000] : [1_000, 100_000];
    const base = new URL(env.databaseUrl).pathname.slice(1);
    const config = loadConfig({ ...process.env, DATABASE_URL: env.databaseUrl, NODE_ENV: 'test' });
    const opened: { orm: Awaited<ReturnType<typeof createOrm>>; name: string }[] = [];
    const absolutes: AbsoluteCheck[] = [];
    for (const size of sizes) {
      const name = `${base}_aml_${size}`;
      await admin(env.databaseUrl, `drop database if exists ${name}`);
      await admin(env.databaseUrl, `create database ${name}`);
      const url = withDatabase(env.databaseUrl, name);
      const orm = await createOrm(url);
      opened.push({ orm, name });
      await migrate(orm);
      const userId = await fill(url, size, (m) => env.log(`${size}: ${m}`));
      const checks = new AmlChecks({
        orm,
        thresholds: amlThresholdsFromConfig(config),
        sanctions: () => [],
        cooldownMs: 60_000,
      });
      absolutes.push({
        name: `AML check for one user, ${size.toLocaleString('en')} ledger entries`,
        metric: 'p99Ms',
        unit: 'ms',
        goal: { below: 10 },
        async measure() {
          const times: number[] = [];
          for (let i = 0; i < CHECKS_PER_ROUND; i++) {
            const started = process.hrtime.bigint();
            const decided = await orm.em.fork().transactional((tx) => checks.decideWithin(tx, userId, 'bench'));
            times.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (decided.frozen) throw new Error('the measured user must pass the rules');
          }
          times.sort((a, b) => a - b);
          return { p50Ms: +percentile(times, 0.5).toFixed(2), p99Ms: +percentile(times, 0.99).toFixed(2) };
        },
      });
    }
    return {
      comparisons: [],
      absolutes,
      async tearDown() {
        for (const { orm, name } of opened) {
          await orm.close();
          await admin(env.databaseUrl, `drop database if exists ${name}`);
        }
      },
    };
  },
};
