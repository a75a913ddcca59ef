/**
 * Money under concurrency through real API processes (two instances, requests alternating):
 * 200 stakes of 10.00 against 1,000.00, and 50 withdrawals right after a velocity breach.
 * No 5xx, never a negative balance, and no movement commits after the one that crossed.
 */
import { randomUUID } from 'node:crypto';
import { freePorts } from '../../scripts/stack/net';
import type { AppContext } from '../../src/main/context';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { createTestContext } from '../helpers/context';
import { httpClient, registerUser, type HttpClient } from '../helpers/http';
import { childEnv, startApiProcess, startWorkerProcess, stopAllProcesses } from '../helpers/processes';
import { countBy, figure, isolatedDeployment, withWorkflowBundle } from './support';

let ctx: AppContext;
afterAll(async () => {
  await stopAllProcesses();
  await ctx?.shutdown.run('test done');
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const key = () => `k-${randomUUID()}`;

/** Two API processes of one deployment; `pick(i)` alternates between them. */
async function twoApis(shared: Record<string, string>) {
  const ports = await freePorts(2);
  const apis = await Promise.all(ports.map((p, i) => startApiProcess(`api-${i}`, p, childEnv(shared))));
  const clients = apis.map((a) => httpClient(a.url));
  return { pick: (i: number): HttpClient => clients[i % clients.length]! };
}

it('200 concurrent stakes of 10.00 against 1,000.00 through two API processes: 100 open, 100 get 422, no 5xx, never negative', async () => {
  const { shared, taskQueues } = isolatedDeployment('stakes', {
    SUSPICIOUS_VELOCITY_THRESHOLD: '1000000',
    MAX_TRADES_PER_HOUR: '1000000',
    BINARY_MAX_EXPIRY_SECONDS: '3600',
  });
  ctx = await createTestContext(shared, taskQueues);
  const workerShared = await withWorkflowBundle(shared);
  const [{ pick }] = await Promise.all([twoApis(shared), startWorkerProcess('worker', childEnv(workerShared))]);
  const user = await registerUser(pick(0));
  expect(
    (await pick(1).post('/wallet/deposit', { amount: '1000.00' }, user.token, { 'idempotency-key': key() })).status,
  ).toBe(201);

  // The balance sampled all along the burst, from outside the application.
  let lowest = Infinity;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [w] = await sql(`select balance from wallets where user_id = ?`, [user.id]);
      lowest = Math.min(lowest, Number(w.balance));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const results = await Promise.all(
    Array.from({ length: 200 }, (_x, i) =>
      pick(i).post('/binary/open', { symbol: 'BTCUSD', direction: 'UP', stake: '10.00', expiry: 3600 }, user.token, {
        'idempotency-key': key(),
      }),
    ),
  );
  sampling = false;
  await sampler;

  const statuses = countBy(results.map((r) => r.status));
  const fivexx = results.filter((r) => r.status >= 500).length;
  figure(
    'stakes',
    `200 stakes of 10.00 vs 1,000.00 on 2 API processes: ${statuses[201] ?? 0} opened, ${statuses[422] ?? 0} x 422, ` +
      `${fivexx} x 5xx, lowest balance ${lowest}`,
  );
  expect(statuses).toEqual({ 201: 100, 422: 100 });
  expect(results.filter((r) => r.status === 422).every((r) => r.body.error.code === 'INSUFFICIENT_FUNDS')).toBe(true);
  expect(lowest).toBeGreaterThanOrEqual(0);
  const [wallet] = await sql(`select balance from wallets where user_id = ?`, [user.id]);
  expect(wallet.balance).toBe('0');
  const [open] = await sql(`select count(*) n, coalesce(sum(stake), 0) s from binary_trades where user_id = ?`, [
    user.id,
  ]);
  expect(open).toEqual({ n: '100', s: '100000' });
  for (const r of results.filter((x) => x.status === 201)) {
    await ctx.temporal.workflow
      .getHandle(binaryWorkflowId(r.body.id))
      .terminate('test done')
      .catch(() => undefined);
  }
  await stopAllProcesses();
  await ctx.shutdown.run('next case');
});

it('50 concurrent withdrawals right after a velocity breach through two API processes: nothing commits after the crossing, no 5xx', async () => {
  const { shared, taskQueues } = isolatedDeployment('velocity', { SUSPICIOUS_VELOCITY_THRESHOLD: '10' });
  ctx = await createTestContext(shared, taskQueues);
  const { pick } = await twoApis(shared);
  const user = await registerUser(pick(0));
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  // 10 movements in the minute: at the threshold; the next one crosses it.
  for (let i = 0; i < 10; i++) {
    expect(
      (await pick(i).post('/wallet/deposit', { amount: '100.00' }, user.token, { 'idempotency-key': key() })).status,
    ).toBe(201);
  }
  const results = await Promise.all(
    Array.from({ length: 50 }, (_x, i) =>
      pick(i).post('/wallet/withdraw', { amount: '1.00' }, user.token, { 'idempotency-key': key() }),
    ),
  );
  const statuses = countBy(results.map((r) => r.status));
  const [crossing] = await sql(
    `select created_at from aml_checks where user_id = ? and check_type = 'VELOCITY' and result = 'FAIL' order by created_at limit 1`,
    [user.id],
  );
  expect(crossing).toBeDefined();
  const after = await sql(`select count(*) n from ledger_entries where user_id = ? and created_at > ?`, [
    user.id,
    crossing.created_at,
  ]);
  const withdrawals = await sql(
    `select count(*) n from ledger_transactions where kind = 'withdrawal' and idempotency_key like ?`,
    [`withdrawal-${user.id}-%`],
  );
  const fivexx = results.filter((r) => r.status >= 500).length;
  figure(
    'velocity',
    `50 withdrawals after the 10th movement on 2 API processes: ${statuses[201] ?? 0} committed (the crossing one), ` +
      `${statuses[403] ?? 0} x 403, ${fivexx} x 5xx, ${Number(after[0].n)} ledger lines after the crossing`,
  );
  expect(fivexx).toBe(0);
  expect(statuses).toEqual({ 201: 1, 403: 49 });
  expect(Number(withdrawals[0].n)).toBe(1);
  expect(Number(after[0].n)).toBe(0);
  const [account] = await sql(
    `select u.status, w.locked, w.balance from users u join wallets w on w.user_id = u.id where u.id = ?`,
    [user.id],
  );
  expect(account).toEqual({ status: 'FROZEN', locked: true, balance: '99900' });
});
