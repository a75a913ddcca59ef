/**
 * moneyTransaction's retry on a real PostgreSQL deadlock (SQLSTATE 40P01). Lock order makes a
 * deadlock unlikely in the money paths, so nothing else makes the retry fire: here a second
 * connection takes two rows in the opposite order on purpose. The transaction that PostgreSQL
 * aborts is rolled back whole and run again; its effects land once.
 */
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import pino from 'pino';
import { createOrm } from '../../src/kernel/db/orm';
import { moneyTransaction } from '../../src/kernel/db/money-transaction';

const table = `retry_probe_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let orm: MikroORM;
let other: Client;

beforeAll(async () => {
  orm = await createOrm(process.env.TEST_DATABASE_URL!, pino({ level: 'silent' }));
  other = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await other.connect();
  await other.query(`create table ${table} (id int primary key, n int not null)`);
});

afterAll(async () => {
  await other.query(`drop table if exists ${table}`);
  await other.end();
  await orm.close(true);
});

beforeEach(async () => {
  await other.query(`truncate ${table}`);
  await other.query(`insert into ${table} values (1, 0), (2, 0)`);
});

const rows = async () =>
  Object.fromEntries(
    (await other.query<{ id: number; n: number }>(`select id, n from ${table} order by id`)).rows.map((r) => [
      r.id,
      r.n,
    ]),
  );

/**
 * Runs `work` through moneyTransaction while the other connection holds row 2 and then asks for
 * row 1, which the work holds while it asks for row 2: a deadlock. The work starts waiting first,
 * so its deadlock check (deadlock_timeout, 1 s) fires first and PostgreSQL aborts it.
 */
async function deadlockAgainstOther(attempts: number) {
  let runs = 0;
  await other.query('begin');
  await other.query(`update ${table} set n = n + 10 where id = 2`);
  let workWaiting!: () => void;
  const waiting = new Promise<void>((r) => (workWaiting = r));
  const result = moneyTransaction(
    orm.em.fork(),
    async (tx) => {
      runs += 1;
      await tx.execute(`update ${table} set n = n + 1 where id = 1`);
      const row2 = tx.execute(`select n from ${table} where id = 2 for update`);
      workWaiting();
      await row2;
      return runs;
    },
    attempts,
  );
  await waiting;
  // Let the work's lock request reach the server and start waiting before ours does.
  await new Promise((r) => setTimeout(r, 300));
  const otherDone = other
    .query(`update ${table} set n = n + 100 where id = 1`)
    .then(() => other.query('commit'))
    .catch(async (err) => {
      await other.query('rollback');
      throw err;
    });
  const outcome = await result.then(
    (value) => ({ value }),
    (error: { code?: string }) => ({ error }),
  );
  await otherDone;
  return { outcome, runs };
}

it('a transaction aborted by a deadlock runs again and its effects land once', async () => {
  const { outcome, runs } = await deadlockAgainstOther(3);
  expect(outcome).toEqual({ value: 2 });
  expect(runs).toBe(2);
  // Row 1: the other connection's +100 and the work's +1 once (its aborted first run left nothing).
  expect(await rows()).toEqual({ 1: 101, 2: 10 });
}, 30_000);

it('without a retry the same deadlock reaches the caller as 40P01 (the scenario above is a real deadlock)', async () => {
  const { outcome, runs } = await deadlockAgainstOther(1);
  expect(outcome).toMatchObject({ error: { code: '40P01' } });
  expect(runs).toBe(1);
  expect(await rows()).toEqual({ 1: 100, 2: 10 });
}, 30_000);
