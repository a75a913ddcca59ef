/**
 * The production-shaped topology (test/cluster/global-setup.ts: Temporal on PostgreSQL as two
 * server processes behind HAProxy, HAProxy in front of the APIs) with three real API processes and
 * two workers: events cross instances, and a crash of one Temporal server process and one worker
 * while binary options and KYC cases are in flight loses nothing and pays nothing twice.
 *
 * Size: the 200 options and 50 KYC cases (the whole `npm run test:cluster` took 196 s here,
 * the crash test 166 s of it); CLUSTER_SIZE=small runs 60 and 20 for a quick local run.
 */
import { randomUUID } from 'node:crypto';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { kycWorkflowId } from '../../src/features/kyc/cases';
import { amlWorkflowId } from '../../src/features/aml/contract';
import type { AppContext } from '../../src/main/context';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';
import { LiveClient, type LiveClientOptions } from '../helpers/live-client';
import {
  childEnv,
  startApiProcess,
  startWorkerProcess,
  stopAllProcesses,
  type ApiProcess,
  type ChildHandle,
} from '../helpers/processes';

const small = process.env.CLUSTER_SIZE === 'small';
const OPTIONS = small ? 60 : 200;
const KYC_CASES = small ? 20 : 50;
const OPTIONS_PER_USER = 4;
const STAKE_MINOR = 200; // 2.00
// Long enough that every option is still open when the crash comes after the last one is opened
// (opening 200 took 11.8 s here at load 11, longer than 30 s on a busier two-core machine before the
// open became a local activity).
const EXPIRY_SECONDS = small ? 30 : 120;
// The default payout rate (BINARY_PAYOUT_RATE_BPS, README): a win pays the stake plus 85 %.
const WIN_PAYOUT = STAKE_MINOR + Math.floor((STAKE_MINOR * 8500) / 10_000);

const JWT_SECRET = 'cluster-test-secret-cluster-test-secret';
const REDIS_PREFIX = `test-cl-${randomUUID().slice(0, 8)}`;

const lbUrl = process.env.CLUSTER_TEST_LB_URL!;
const apiPorts = process.env.CLUSTER_TEST_API_PORTS!.split(',').map(Number);
const serverPids = process.env.CLUSTER_TEST_SERVER_PIDS!.split(',').map(Number);
const serverPorts = process.env.CLUSTER_TEST_SERVER_PORTS!.split(',').map(Number);
// As test/cluster/global-setup.ts creates the cluster.
const HISTORY_SHARDS = 4;

let ctx: AppContext;
let A: ApiProcess, B: ApiProcess, C: ApiProcess;
let workers: ChildHandle[];
const clients: LiveClient[] = [];
const sql = (query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<any[]>(query, params);
const key = () => `k-${randomUUID()}`;

async function live(url: string, user: { token: string }, options?: LiveClientOptions): Promise<LiveClient> {
  const client = await LiveClient.connect(url, user.token, options);
  clients.push(client);
  return client;
}
const instanceOf = (c: LiveClient) => c.of('session:ready')[0]!.payload.instance as string;

beforeAll(async () => {
  const env = childEnv({
    REDIS_PREFIX,
    JWT_SECRET,
    MAX_TRADES_PER_HOUR: '100000',
    SUSPICIOUS_VELOCITY_THRESHOLD: '100000000',
    // Six app processes and two Temporal processes share the machine's PostgreSQL with others.
    DATABASE_POOL_MAX: '4',
    // As `npm run start:cluster`: HAProxy's sticky cookie lets Socket.IO fall back to long-polling.
    SOCKET_IO_POLLING: 'true',
  });
  // Seven processes start at once on a shared two-core machine: generous bounds.
  const starting = Promise.all(['worker-1', 'worker-2'].map((name) => startWorkerProcess(name, env, 'info', 400_000)));
  starting.catch(() => undefined); // reported by the await below
  [A, B, C] = await Promise.all(apiPorts.map((port, i) => startApiProcess('ABC'[i]!, port, env, 300_000)));
  workers = await starting;
  ctx = await createTestContext({ REDIS_PREFIX, JWT_SECRET, DATABASE_POOL_MAX: '3' });
  // HAProxy's health checks (/ready every second) have taken the three instances in.
  await eventually(
    async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 9; i++) {
        const res = await fetch(`${lbUrl}/ready`);
        if (res.status !== 200) return false;
        seen.add(res.headers.get('set-cookie')?.match(/SERVERID=([^;]+)/)?.[1] ?? '');
      }
      return seen.size === 3;
    },
    60_000,
    'three API instances up behind HAProxy',
  );
}, 600_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAllProcesses();
  await ctx?.shutdown.run('test done');
});

describe('events across instances of the cluster', () => {
  it('a KYC approval sent through A reaches the owner on B only', async () => {
    const http = httpClient(A.url);
    const owner = await registerUser(http);
    const other = await registerUser(http);
    const admin = await createStaff(ctx, 'ADMIN');
    const ownerOnB = await live(B.url, owner);
    const otherOnC = await live(C.url, other);
    expect([instanceOf(ownerOnB), instanceOf(otherOnC)]).toEqual(['B', 'C']);

    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, owner.token)).status).toBe(202);
    await ownerOnB.waitFor('kyc:status', (p) => p.status === 'PENDING');
    expect((await http.put(`/kyc/admin/${owner.id}/approve`, { notes: 'ok' }, admin.token)).status).toBe(200);

    const approved = await ownerOnB.waitFor('kyc:status', (p) => p.status === 'APPROVED');
    expect(approved.payload).toMatchObject({ userId: owner.id, status: 'APPROVED' });
    await eventually(
      async () =>
        (await ctx.temporal.workflow.getHandle(kycWorkflowId(owner.id)).describe()).status.name === 'COMPLETED',
      30_000,
      'KYC workflow completed',
    );
    expect(ownerOnB.of('kyc:status', (p) => p.status === 'APPROVED')).toHaveLength(1);
    expect(otherOnC.of('kyc:status')).toHaveLength(0);
  });

  it('clients of the load balancer, one by WebSocket and one by long-polling, each get a balance event sent through another instance exactly once', async () => {
    const owner = await registerUser(httpClient(A.url));
    const overWebSocket = await live(lbUrl, owner, { transports: ['websocket'] });
    // Several HTTP requests per session: each must reach the instance holding it (sticky cookie).
    const overPolling = await live(lbUrl, owner, { transports: ['polling'] });
    expect(overPolling.socket.io.engine.transport.name).toBe('polling');
    const behind = new Set([instanceOf(overWebSocket), instanceOf(overPolling)]);
    const elsewhere = [A, B, C].find((api) => !behind.has(api.name))!;

    const deposit = await httpClient(elsewhere.url).post('/wallet/deposit', { amount: '12.34' }, owner.token, {
      'idempotency-key': key(),
    });
    expect(deposit.status).toBe(201);

    for (const client of [overWebSocket, overPolling]) {
      const event = await client.waitFor('wallet:balance', (p) => p.balance === 1234);
      expect(event.payload).toMatchObject({ userId: owner.id, balance: 1234 });
    }
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would arrive by now
    expect(overWebSocket.of('wallet:balance')).toHaveLength(1);
    expect(overPolling.of('wallet:balance')).toHaveLength(1);
  });

  it('a binary option opened through B settles and reaches the owner on C only', async () => {
    // Through a known instance, not the load balancer: the request must not land on C itself.
    const http = httpClient(B.url);
    const owner = await registerUser(http);
    const other = await registerUser(http);
    const ownerOnC = await live(C.url, owner);
    const otherOnA = await live(A.url, other);
    expect(
      (await http.post('/wallet/deposit', { amount: '10.00' }, owner.token, { 'idempotency-key': key() })).status,
    ).toBe(201);
    const open = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '2', expiry: 2 },
      owner.token,
      {
        'idempotency-key': key(),
      },
    );
    expect(open.status).toBe(201);

    const resolved = await ownerOnC.waitFor('binary:resolved', (p) => p.tradeId === open.body.id, 60_000);
    expect(['WON', 'LOST', 'TIE']).toContain(resolved.payload.status);
    const [trade] = await sql('select status from binary_trades where id = ?', [open.body.id]);
    expect(trade.status).toBe(resolved.payload.status);
    expect(ownerOnC.of('binary:resolved')).toHaveLength(1);
    expect(otherOnA.of('binary:resolved')).toHaveLength(0);
    expect(otherOnA.of('binary:opened')).toHaveLength(0);
  });

  it('an AML freeze triggered through A reaches an admin on B and the owner, not a bystander', async () => {
    const http = httpClient(A.url);
    const admin = await createStaff(ctx, 'ADMIN');
    const adminOnB = await live(B.url, admin);
    const bystander = await live(C.url, await registerUser(http));
    const user = await registerUser(http, { country: 'IR' });
    const userOnC = await live(C.url, user);
    expect(
      (await http.post('/wallet/deposit', { amount: '10' }, user.token, { 'idempotency-key': key() })).status,
    ).toBe(201);

    const frozen = await adminOnB.waitFor('aml:frozen', (p) => p.userId === user.id, 60_000);
    expect(frozen.payload).toMatchObject({ userId: user.id });
    await userOnC.waitFor('aml:frozen', (p) => p.userId === user.id);
    const [row] = await sql('select status from users where id = ?', [user.id]);
    expect(row.status).toBe('FROZEN');
    expect(bystander.of('aml:frozen')).toHaveLength(0);
    await ctx.temporal.workflow
      .getHandle(amlWorkflowId(user.id))
      .terminate('test done')
      .catch(() => undefined);
  });
});

/** Calls until the answer is not a 5xx or a refused connection (a crash is being recovered). */
async function withRetry(
  call: () => Promise<{ status: number; body: any }>,
  counter: { retries: number },
): Promise<{ status: number; body: any }> {
  for (let attempt = 1; ; attempt++) {
    const res = await call().catch((err: Error) => ({ status: 0, body: err.message }));
    if ((res.status > 0 && res.status < 500) || attempt === 30) return res;
    counter.retries++;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** History shards a Temporal server process owns (numshards_gauge on its metrics port, base + 9). */
async function ownedShards(serverPortBase: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${serverPortBase + 9}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('numshards_gauge{'));
  return line ? Number(line.split(' ').pop()) : 0;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('a Temporal server process and a worker crash under load', () => {
  it(`${OPTIONS} binary options and ${KYC_CASES} KYC cases in flight: every workflow completes, no trade is paid twice, every wallet adds up`, async () => {
    const http: HttpClient = httpClient(lbUrl);
    const admin = await createStaff(ctx, 'ADMIN');
    const clientRetries = { retries: 0 };
    const traders: TestUser[] = [];
    for (let i = 0; i < OPTIONS / OPTIONS_PER_USER; i++) traders.push(await registerUser(http));
    const applicants: TestUser[] = [];
    for (let i = 0; i < KYC_CASES; i++) applicants.push(await registerUser(http));
    for (const t of traders) {
      const res = await http.post('/wallet/deposit', { amount: '100.00' }, t.token, { 'idempotency-key': key() });
      expect(res.status).toBe(201);
    }

    const started = Date.now();
    const tradeIds: string[] = [];
    await Promise.all(
      traders.map(async (t, u) => {
        for (let i = 0; i < OPTIONS_PER_USER; i++) {
          const res = await http.post(
            '/binary/open',
            { symbol: 'BTCUSD', direction: (u + i) % 2 ? 'UP' : 'DOWN', stake: '2.00', expiry: EXPIRY_SECONDS },
            t.token,
            { 'idempotency-key': key() },
          );
          expect(res.status).toBe(201);
          tradeIds.push(res.body.id);
        }
      }),
    );
    await Promise.all(
      applicants.map(async (a) =>
        expect((await http.post('/kyc/start', { provider: 'LOCAL' }, a.token)).status).toBe(202),
      ),
    );
    const [{ n: open }] = await sql(`select count(*)::int n from binary_trades where id in (?) and status = 'OPEN'`, [
      tradeIds,
    ]);
    expect(open).toBe(OPTIONS); // every one in flight

    // Both server processes are members and between them own every history shard (each one's
    // own metrics say how many); the one that dies is the one owning more, so it was serving (the
    // ring's hashing may leave either with none of only four shards).
    let owned: number[] = [];
    await eventually(
      async () => {
        owned = await Promise.all(serverPorts.map(ownedShards));
        return owned[0]! + owned[1]! === HISTORY_SHARDS;
      },
      30_000,
      'the two server processes own every history shard between them',
    );
    const victim = owned[0]! >= owned[1]! ? 0 : 1;
    const survivor = 1 - victim;
    expect(owned[victim]).toBeGreaterThan(0);

    // The crash: no goodbye from either.
    process.kill(serverPids[victim]!, 'SIGKILL');
    expect(await workers[0]!.kill('SIGKILL')).toBe('SIGKILL');
    const killedAt = Date.now();

    // Admin decisions reach the cases while the surviving server takes the shards over.
    await Promise.all(
      applicants.map(async (a) => {
        const res = await withRetry(
          () => http.put(`/kyc/admin/${a.id}/approve`, { notes: 'ok' }, admin.token),
          clientRetries,
        );
        expect(res.status).toBe(200);
      }),
    );

    await eventually(
      async () => {
        const [{ n }] = await sql(`select count(*)::int n from binary_trades where id in (?) and status = 'OPEN'`, [
          tradeIds,
        ]);
        return n === 0;
      },
      300_000,
      'every trade settled',
    );
    const ids = [...tradeIds.map(binaryWorkflowId), ...applicants.map((a) => kycWorkflowId(a.id))];
    await eventually(
      async () => {
        for (const id of ids) {
          if ((await ctx.temporal.workflow.getHandle(id).describe()).status.name !== 'COMPLETED') return false;
        }
        return true;
      },
      120_000,
      'every workflow completed',
    );
    const completedAt = Date.now();

    // Outcomes and money, from the database, checked against the rules as the README states them.
    const trades = await sql(
      `select id, user_id, stake, status, payout, extract(epoch from settled_at - expires_at) * 1000 lag_ms
       from binary_trades where id in (?)`,
      [tradeIds],
    );
    expect(trades).toHaveLength(OPTIONS);
    for (const t of trades) {
      expect(['WON', 'LOST', 'TIE']).toContain(t.status);
      expect(Number(t.payout)).toBe(t.status === 'WON' ? WIN_PAYOUT : t.status === 'TIE' ? STAKE_MINOR : 0);
    }
    // One settlement per trade: a second one cannot exist (unique idempotency key), a missing one can.
    const [{ n: settled }] = await sql(`select count(*)::int n from ledger_transactions where idempotency_key in (?)`, [
      tradeIds.map((id) => `binary-${id}-settle`),
    ]);
    expect(settled).toBe(OPTIONS);
    for (const t of traders) {
      const mine = trades.filter((x) => x.user_id === t.id);
      const expected = 10_000 - OPTIONS_PER_USER * STAKE_MINOR + mine.reduce((s, x) => s + Number(x.payout), 0);
      const [wallet] = await sql('select balance from wallets where user_id = ?', [t.id]);
      const [entries] = await sql(`select coalesce(sum(amount), 0)::bigint s from ledger_entries where account = ?`, [
        `wallet:${t.id}`,
      ]);
      expect([Number(wallet.balance), Number(entries.s)]).toEqual([expected, expected]);
    }
    await eventually(
      async () => (await ownedShards(serverPorts[survivor]!)) === HISTORY_SHARDS,
      30_000,
      'the surviving server process owns every history shard',
    );
    const kyc = await sql(`select kyc_status from users where id in (?)`, [applicants.map((a) => a.id)]);
    expect(kyc.map((r) => r.kyc_status)).toEqual(applicants.map(() => 'APPROVED'));

    // Figures: retries as the histories record them, and settlement lag (settled - expiry).
    let activityRetries = 0;
    let workflowTaskTimeouts = 0;
    for (const id of ids) {
      const history = await ctx.temporal.workflow.getHandle(id).fetchHistory();
      for (const e of history.events ?? []) {
        activityRetries += Math.max(0, (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        if (e.workflowTaskTimedOutEventAttributes) workflowTaskTimeouts++;
      }
    }
    const lags = trades.map((t) => Number(t.lag_ms)).sort((a, b) => a - b);
    process.stdout.write(
      [
        `cluster figures (${OPTIONS} options, ${KYC_CASES} KYC cases; temporal-${victim + 1}, owning ${owned[victim]} of ${HISTORY_SHARDS} history shards, and worker-1 killed ${((killedAt - started) / 1000).toFixed(1)} s after the first open):`,
        `  completion: every workflow completed ${((completedAt - started) / 1000).toFixed(1)} s after the first open, ${((completedAt - killedAt) / 1000).toFixed(1)} s after the crash`,
        `  retries: ${activityRetries} activity retries, ${workflowTaskTimeouts} workflow task timeouts, ${clientRetries.retries} client retries (5xx or refused)`,
        `  settlement lag: p50 ${percentile(lags, 50).toFixed(0)} ms, p99 ${percentile(lags, 99).toFixed(0)} ms, max ${lags[lags.length - 1]!.toFixed(0)} ms`,
        '',
      ].join('\n'),
    );
  });
});
