/**
 * pg_terminate_backend on every connection of the application's database while an API process
 * takes deposits and reads: requests fail with 503 at worst (never another 5xx), the pool
 * replaces the dead connections within seconds, and no ledger transaction is left half-written.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../../scripts/stack/net';
import type { AppContext } from '../../src/main/context';
import { createTestContext } from '../helpers/context';
import { httpClient, registerUser, type TestUser } from '../helpers/http';
import { childEnv, startApiProcess, stopAllProcesses } from '../helpers/processes';
import { countBy, figure, isolatedDeployment, secs, size, unbalancedTransactions } from './support';

const CLIENTS = size(10, 30);
const TERMINATIONS = size(3, 10);
const { shared, taskQueues } = isolatedDeployment('pgkill', { SUSPICIOUS_VELOCITY_THRESHOLD: '1000000' });
let ctx: AppContext;
let admin: Client;

beforeAll(async () => {
  ctx = await createTestContext(shared, taskQueues);
  // The test's own control connection, outside the application's pools.
  admin = new Client({ connectionString: process.env.TEST_DATABASE_URL, application_name: 'fault-control' });
  await admin.connect();
});

afterAll(async () => {
  await stopAllProcesses();
  await admin?.end();
  await ctx.shutdown.run('test done');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it(`pg_terminate_backend ${TERMINATIONS} times under load: 503 at worst, the pool recovers, no partial ledger transaction`, async () => {
  const api = await startApiProcess('api-pg', await freePort(), childEnv(shared));
  const http = httpClient(api.url);
  const users: TestUser[] = [];
  for (let i = 0; i < CLIENTS; i++) users.push(await registerUser(http));

  const results: { status: number; at: number }[] = [];
  const terminatedAt: number[] = [];
  let running = true;
  // Each client: deposits of 1.00 and balance reads, back to back, until the end of the run.
  const load = users.map(async (u, i) => {
    while (running) {
      const res =
        i % 2
          ? await http.post('/wallet/deposit', { amount: '1.00' }, u.token, {
              'idempotency-key': `dep-${randomUUID()}`,
            })
          : await http.get('/wallet', u.token);
      results.push({ status: res.status, at: Date.now() });
    }
  });
  await sleep(3000);
  let killed = 0;
  for (let t = 0; t < TERMINATIONS; t++) {
    const { rows } = await admin.query(
      `select count(*) filter (where pg_terminate_backend(pid)) n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`,
    );
    killed += Number(rows[0].n);
    terminatedAt.push(Date.now());
    await sleep(4000);
  }
  await sleep(3000);
  running = false;
  await Promise.all(load);

  // Recovery: after each termination, the time until a request succeeds again.
  const recoveries = terminatedAt.map((t) => {
    const ok = results.find((r) => r.at > t && r.status < 300);
    return ok ? ok.at - t : Infinity;
  });
  const statuses = countBy(results.map((r) => r.status));
  const otherFivexx = results.filter((r) => r.status >= 500 && r.status !== 503).length;

  const { rows: partial } = await admin.query(
    `select count(*) n from ledger_transactions t where not exists (select 1 from ledger_entries e where e.transaction_id = t.id)`,
  );
  const { rows: txs } = await admin.query(
    `select distinct e.transaction_id id from ledger_entries e where e.user_id = any($1)`,
    [users.map((u) => u.id)],
  );
  const unbalanced = await unbalancedTransactions(
    ctx.orm.em.fork(),
    txs.map((r) => r.id),
  );
  // Every wallet equals its ledger lines: nothing was applied to one without the other.
  const { rows: drift } = await admin.query(
    `select w.user_id from wallets w where w.user_id = any($1) and w.balance <>
       (select coalesce(sum(amount), 0) from ledger_entries e where e.account = 'wallet:' || w.user_id)`,
    [users.map((u) => u.id)],
  );
  const after = await http.get('/wallet', users[0]!.token);

  figure(
    'pg-terminate',
    `${TERMINATIONS} x pg_terminate_backend (${killed} backends) under ${CLIENTS} clients: ${results.length} requests, ` +
      `statuses ${JSON.stringify(statuses)}, other 5xx ${otherFivexx}, recovery max ${secs(Math.max(...recoveries))}, ` +
      `partial txns ${Number(partial[0].n)}, unbalanced ${unbalanced}, wallet drift ${drift.length}`,
  );
  expect(killed).toBeGreaterThan(0);
  // The API's own account of any other 5xx (its error line of the same request), so a failure names its cause.
  const logged = api.stdoutLines().flatMap((l) => {
    try {
      return [JSON.parse(l) as { requestId?: string; status?: number; err?: { type?: string; message?: string } }];
    } catch {
      return [];
    }
  });
  const failedIds = new Set(
    logged.filter((l) => l.status && l.status >= 500 && l.status !== 503).map((l) => l.requestId),
  );
  const failures = logged
    .filter((l) => l.err && failedIds.has(l.requestId))
    .map((l) => `${l.err!.type}: ${l.err!.message}`);
  expect({ otherFivexx, failures: otherFivexx ? failures : [] }).toEqual({ otherFivexx: 0, failures: [] });
  expect(Math.max(...recoveries)).toBeLessThan(5000);
  expect(Number(partial[0].n)).toBe(0);
  expect(unbalanced).toBe(0);
  expect(drift).toEqual([]);
  expect(after.status).toBe(200);
}, 300_000);
