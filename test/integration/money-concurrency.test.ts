/**
 * Money under concurrency, through the real API: many requests of one user at once never
 * deadlock (no 5xx), never overdraw, and the AML decision taken inside each movement's
 * transaction lets no movement commit after the one that crossed a FAIL threshold.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

let ctx: AppContext;
let http: HttpClient;

beforeAll(async () => {
  // Velocity is the rule under test in the first case; the stake case sets a high one itself.
  ctx = await createTestContext({ SUSPICIOUS_VELOCITY_THRESHOLD: '10', BINARY_MAX_EXPIRY_SECONDS: '3600' });
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
});

afterAll(async () => {
  await ctx.shutdown.run('test done');
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const key = () => `k-${randomUUID()}`;

async function approvedUser(): Promise<TestUser> {
  const user = await registerUser(http);
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  return user;
}

const countBy = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

it('50 concurrent withdrawals right after the 10th movement of the minute: only the crossing one commits, with the freeze; no 5xx', async () => {
  const user = await approvedUser();
  // 10 movements in the minute: at the threshold, not over it.
  for (let i = 0; i < 10; i++) {
    expect(
      (await http.post('/wallet/deposit', { amount: '100.00' }, user.token, { 'idempotency-key': key() })).status,
    ).toBe(201);
  }
  const results = await Promise.all(
    Array.from({ length: 50 }, () =>
      http.post('/wallet/withdraw', { amount: '1.00' }, user.token, { 'idempotency-key': key() }),
    ),
  );
  const statuses = results.map((r) => r.status);
  expect(countBy(statuses)).toEqual({ 201: 1, 403: 49 });
  expect(results.filter((r) => r.status === 403).every((r) => r.body.error.code === 'ACCOUNT_FROZEN')).toBe(true);

  const [account] = await sql(
    `select u.status, w.locked, w.balance from users u join wallets w on w.user_id = u.id where u.id = ?`,
    [user.id],
  );
  expect(account).toEqual({ status: 'FROZEN', locked: true, balance: '99900' });
  const withdrawals = await sql(
    `select count(*) n from ledger_transactions where kind = 'withdrawal' and idempotency_key like ?`,
    [`withdrawal-${user.id}-%`],
  );
  expect(Number(withdrawals[0].n)).toBe(1);
  const velocity = await sql(
    `select count(*) n from aml_checks where user_id = ? and check_type = 'VELOCITY' and result = 'FAIL'`,
    [user.id],
  );
  expect(Number(velocity[0].n)).toBe(1);
});

it('200 concurrent stakes of 10.00 against 1,000.00: exactly 100 open, 100 get 422, no 5xx, never negative', async () => {
  const c = await createTestContext({ SUSPICIOUS_VELOCITY_THRESHOLD: '100000', MAX_TRADES_PER_HOUR: '100000' });
  await startTestWorker(c);
  const api = httpClient((await startTestApi(c)).url);
  try {
    const user = await registerUser(api);
    expect(
      (await api.post('/wallet/deposit', { amount: '1000.00' }, user.token, { 'idempotency-key': key() })).status,
    ).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        api.post('/binary/open', { symbol: 'BTCUSD', direction: 'UP', stake: '10.00', expiry: 3600 }, user.token, {
          'idempotency-key': key(),
        }),
      ),
    );
    expect(countBy(results.map((r) => r.status))).toEqual({ 201: 100, 422: 100 });
    expect(results.filter((r) => r.status === 422).every((r) => r.body.error.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    const [wallet] = await sql(`select balance from wallets where user_id = ?`, [user.id]);
    expect(wallet.balance).toBe('0');
    const open = await sql(`select count(*) n, coalesce(sum(stake), 0) s from binary_trades where user_id = ?`, [
      user.id,
    ]);
    expect(open[0]).toEqual({ n: '100', s: '100000' });
    const ids = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
    for (const id of ids)
      await c.temporal.workflow
        .getHandle(`binary-${id}`)
        .terminate('test done')
        .catch(() => undefined);
  } finally {
    await c.shutdown.run('test done');
  }
});
