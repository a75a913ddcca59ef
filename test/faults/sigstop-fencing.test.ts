/**
 * Fencing enforced by the database (issue 19 item 3): a worker process takes the settlement lock,
 * is SIGSTOPped past the lock's TTL (a long GC pause, a frozen VM), another worker settles the
 * trade, then the first one is SIGCONTed and goes on with its settlement. Its write carries the
 * older fencing token: the row refuses it, the refusal is logged, and the user is paid once.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { BINARY_TRADE_LOCK_MS } from '../../src/kernel/redis/distributed-lock';
import { createTestContext, startTestApi } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser } from '../helpers/http';
import { childEnv, startWorkerProcess, stopAllProcesses } from '../helpers/processes';
import { figure, isolatedDeployment, secs, withWorkflowBundle } from './support';

const { shared, taskQueues } = isolatedDeployment('sigstop');
let ctx: AppContext;
let workerShared: Record<string, string>;

beforeAll(async () => {
  ctx = await createTestContext(shared, taskQueues);
  workerShared = await withWorkflowBundle(shared);
});

afterAll(async () => {
  await stopAllProcesses();
  await ctx.shutdown.run('test done');
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);

it('a holder stopped past the lock TTL is refused by the fencing token after SIGCONT; one payout', async () => {
  // The holder pauses right after registering its token, long enough for the test to SIGSTOP it
  // there; the pause itself is shorter than the TTL, the stop is what outlives the lock.
  const holder = await startWorkerProcess(
    'worker-holder',
    childEnv({
      ...workerShared,
      FAULT_PAUSE_POINTS: 'binary.settle.locked',
      FAULT_PAUSE_MS: '3000',
    }),
  );
  const http = httpClient((await startTestApi(ctx)).url);
  const user = await registerUser(http);
  await http.post('/wallet/deposit', { amount: '50.00' }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
  const opened = await http.post(
    '/binary/open',
    { symbol: 'BTCUSD', direction: 'UP', stake: '10.00', expiry: 2 },
    user.token,
    { 'idempotency-key': `open-${randomUUID()}` },
  );
  expect(opened.status).toBe(201);
  const tradeId = opened.body.id as string;

  await eventually(
    async () =>
      holder.stdoutLines().some((l) => l.startsWith('FAULT pause binary.settle.locked') && l.endsWith(tradeId)),
    60_000,
    'the holder to take the lock and reach the pause point',
  );
  holder.child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  const [registered] = await sql(`select status, settle_fence from binary_trades where id = ?`, [tradeId]);
  expect(registered).toMatchObject({ status: 'OPEN' });
  const holderToken = Number(registered.settle_fence);
  expect(holderToken).toBeGreaterThan(0);

  // Another worker: Temporal retries the activity there once the stopped attempt times out.
  await startWorkerProcess('worker-newer', childEnv(workerShared));
  const settled = await eventually(
    async () => {
      const [row] = await sql(`select status, payout, settle_fence from binary_trades where id = ?`, [tradeId]);
      return row.status !== 'OPEN' ? row : undefined;
    },
    120_000,
    'the newer worker to settle',
  );
  const stoppedFor = Date.now() - stoppedAt;
  expect(stoppedFor).toBeGreaterThan(BINARY_TRADE_LOCK_MS); // the lock had expired under the holder
  expect(['WON', 'LOST', 'TIE']).toContain(settled.status);
  expect(Number(settled.settle_fence)).toBeGreaterThan(holderToken);

  holder.child.kill('SIGCONT');
  const refusal = await eventually(
    async () =>
      holder
        .stdoutLines()
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return undefined;
          }
        })
        .find((l) => l?.msg === 'binary settlement refused by the fencing token' && l.tradeId === tradeId),
    60_000,
    'the resumed holder to report the refused write',
  );
  // The refusal names the holder's token and the row's fence at that moment: the settling
  // holder's, or a newer one when another attempt (an activity retry that found the trade already
  // settled) registered after it. The settled row itself is unchanged by the stale holder.
  const [after] = await sql(`select status, payout, settle_fence from binary_trades where id = ?`, [tradeId]);
  expect(refusal.fencingToken).toBe(holderToken);
  expect(refusal.rowFence).toBeGreaterThanOrEqual(Number(settled.settle_fence));
  expect(refusal.rowFence).toBeLessThanOrEqual(Number(after.settle_fence));
  expect(after).toMatchObject({ status: settled.status, payout: settled.payout });

  const payouts = await sql(`select count(*) n from ledger_transactions where idempotency_key = ?`, [
    `binary-${tradeId}-settle`,
  ]);
  expect(Number(payouts[0].n)).toBe(1);
  const [wallet] = await sql(`select balance from wallets where user_id = ?`, [user.id]);
  expect(Number(wallet.balance)).toBe(5000 - 1000 + Number(settled.payout));
  const [escrow] = await sql(
    `select coalesce(sum(e.amount), 0) s from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
     where e.account = 'system:binary-escrow' and t.idempotency_key like ?`,
    [`binary-${tradeId}-%`],
  );
  expect(Number(escrow.s)).toBe(0);
  figure(
    'sigstop-fence',
    `holder stopped ${secs(stoppedFor)} (lock TTL ${secs(BINARY_TRADE_LOCK_MS)}), newer holder settled ${settled.status}, ` +
      `stale write refused (token ${holderToken} < ${settled.settle_fence}), payouts 1`,
  );
}, 300_000);
