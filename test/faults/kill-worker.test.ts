/**
 * kill -9 the worker process again and again while binary options of 50 users expire and settle.
 * Every trade is settled exactly once (one settle ledger transaction each), every ledger
 * transaction balances, the escrow returns to zero; the figure reports the extra activity
 * attempts the kills caused and the settlement lag (settledAt minus expiresAt).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { createTestContext, startTestApi } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser, type TestUser } from '../helpers/http';
import { childEnv, startWorkerProcess, stopAllProcesses, type ChildHandle } from '../helpers/processes';
import {
  countBy,
  figure,
  isolatedDeployment,
  percentile,
  secs,
  size,
  unbalancedTransactions,
  withWorkflowBundle,
} from './support';

const TRADES = size(200, 1000);
const KILLS = size(4, 20);
const USERS = 50;
const { shared, taskQueues } = isolatedDeployment('kill', {
  // Volume is the load here, not an AML finding.
  SUSPICIOUS_VELOCITY_THRESHOLD: '1000000',
  MAX_TRADES_PER_HOUR: '1000000',
  BINARY_MAX_EXPIRY_SECONDS: '3600',
});
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
const workerEnv = () => childEnv(workerShared);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inBatches<T, R>(items: T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    out.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

it(
  `kill -9 the worker ${KILLS} times while ${TRADES} binary options of ${USERS} users settle: each settled once`,
  async () => {
    let worker: ChildHandle = await startWorkerProcess('worker-0', workerEnv());
    const http = httpClient((await startTestApi(ctx)).url);
    const users: TestUser[] = await inBatches(Array.from({ length: USERS }), 10, async () => {
      const u = await registerUser(http);
      const dep = await http.post('/wallet/deposit', { amount: '1000.00' }, u.token, {
        'idempotency-key': `dep-${randomUUID()}`,
      });
      expect(dep.status).toBe(201);
      return u;
    });

    // Expiries spread over the kill phase (about 20 s per kill and restart), after the opening phase.
    const openPhaseMs = TRADES * 150;
    const killPhaseMs = KILLS * 20_000;
    const started = Date.now();
    const opened = await inBatches(Array.from({ length: TRADES }), 25, async (_x, i) => {
      const target = started + openPhaseMs + (killPhaseMs * i) / TRADES;
      const expiry = Math.max(2, Math.round((target - Date.now()) / 1000));
      const user = users[i % USERS]!;
      return http.post(
        '/binary/open',
        { symbol: i % 2 ? 'ETHUSD' : 'BTCUSD', direction: i % 3 ? 'UP' : 'DOWN', stake: '1.00', expiry },
        user.token,
        { 'idempotency-key': `open-${randomUUID()}` },
      );
    });
    expect(countBy(opened.map((r) => r.status))).toEqual({ 201: TRADES });
    const ids = opened.map((r) => r.body.id as string);

    for (let k = 1; k <= KILLS; k++) {
      await sleep(2000 + Math.floor(Math.random() * 4000)); // some uptime: settlements in flight
      worker.child.kill('SIGKILL');
      expect(await worker.exited).toBe('SIGKILL');
      worker = await startWorkerProcess(`worker-${k}`, workerEnv());
    }

    // The last expiry is planned at the end of the kill phase; the kills may have gone faster than
    // planned, so the wait runs to that instant plus two minutes, not a fixed time from here (at the
    // full size a fixed 300 s ended before the last trades had expired).
    const lastExpiry = started + openPhaseMs + killPhaseMs;
    await eventually(
      async () => {
        const [r] = await sql(`select count(*) n from binary_trades where id in (?) and status = 'OPEN'`, [ids]);
        return Number(r.n) === 0;
      },
      Math.max(0, lastExpiry - Date.now()) + 120_000,
      'every trade to settle',
    );

    const trades = await sql(`select id, status, expires_at, settled_at from binary_trades where id in (?)`, [ids]);
    expect(countBy(trades.map((t) => t.status)).SETTLEMENT_FAILED).toBeUndefined();
    const settles = await sql(
      `select count(*) n, count(distinct idempotency_key) k from ledger_transactions where kind = 'binary-settle' and idempotency_key in (?)`,
      [ids.map((id) => `binary-${id}-settle`)],
    );
    expect({ n: Number(settles[0].n), k: Number(settles[0].k) }).toEqual({ n: TRADES, k: TRADES });
    const txIds = (
      await sql(`select id from ledger_transactions where idempotency_key in (?)`, [
        ids.flatMap((id) => [`binary-${id}-open`, `binary-${id}-settle`]),
      ])
    ).map((r) => r.id as string);
    const unbalanced = await unbalancedTransactions(ctx.orm.em.fork(), txIds);
    expect(unbalanced).toBe(0);
    const [escrow] = await sql(
      `select coalesce(sum(amount), 0) s from ledger_entries where account = 'system:binary-escrow' and transaction_id in (?)`,
      [txIds],
    );
    expect(Number(escrow.s)).toBe(0);
    // Every user: the deposit, minus the stakes, plus the payouts, nothing else.
    const wrong = await sql(
      `select w.user_id from wallets w where w.user_id in (?) and w.balance <>
       100000 - (select coalesce(sum(stake), 0) from binary_trades t where t.user_id = w.user_id)
              + (select coalesce(sum(payout), 0) from binary_trades t where t.user_id = w.user_id)`,
      [users.map((u) => u.id)],
    );
    expect(wrong).toEqual([]);

    // Extra attempts: the settle activity's attempt number in each workflow's history, minus one.
    let extraAttempts = 0;
    await inBatches(ids, 20, async (id) => {
      const history = await ctx.temporal.workflow.getHandle(binaryWorkflowId(id)).fetchHistory();
      for (const e of history.events ?? []) {
        const attempt = e.activityTaskStartedEventAttributes?.attempt;
        if (attempt && attempt > 1) extraAttempts += attempt - 1;
      }
    });
    const lags = trades.map((t) => new Date(t.settled_at).getTime() - new Date(t.expires_at).getTime());
    figure(
      'kill-worker',
      `${KILLS} kills, ${TRADES} settled, ${Number(settles[0].n)} settle txns, ${unbalanced} unbalanced, ` +
        `escrow ${Number(escrow.s)}, extra attempts ${extraAttempts}, lag p50 ${secs(percentile(lags, 0.5))} ` +
        `p99 ${secs(percentile(lags, 0.99))} max ${secs(Math.max(...lags))}`,
    );
  },
  size(900_000, 1_500_000),
);
