import { randomInt, randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { AppContext } from '../../src/main/context';
import { priceFeedFromConfig } from '../../src/features/market';
import { openBinaryTrade, settleBinaryTrade } from '../../src/features/binary/use-cases';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { startFakeExchange } from '../helpers/fake-exchange';
import { createTestContext, startTestApi, startTestWorker, testWorkflowBundle } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { historyShows } from '../helpers/workflow-history';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

let ctx: AppContext;
let http: HttpClient;
const workflowIds: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
});
afterAll(() => ctx.shutdown.run('test done'));

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const balanceOf = async (userId: string) =>
  Number((await sql('select balance from wallets where user_id = ?', [userId]))[0].balance);
const ledgerSum = async () => Number((await sql('select coalesce(sum(amount), 0) s from ledger_entries'))[0].s);
const ledgerRowsOf = async (userId: string) =>
  Number((await sql('select count(*) n from ledger_entries where user_id = ?', [userId]))[0].n);

/** A symbol no other test prices: recorded ticks are shared per symbol and second. */
const uniqueSymbol = () => `T${Array.from({ length: 6 }, () => String.fromCharCode(65 + randomInt(26))).join('')}USD`;

async function fundedUser(client: HttpClient, amount: string): Promise<TestUser> {
  const user = await registerUser(client);
  const res = await client.post('/wallet/deposit', { amount }, user.token, {
    'idempotency-key': `dep-${randomUUID()}`,
  });
  expect(res.status).toBe(201);
  return user;
}

async function openTrade(client: HttpClient, user: TestUser, body: Record<string, unknown>, key?: string) {
  const res = await client.post('/binary/open', body, user.token, key ? { 'idempotency-key': key } : undefined);
  if (res.status === 201) workflowIds.push(binaryWorkflowId(res.body.id));
  return res;
}

const settled = (tradeId: string) =>
  eventually(
    async () => {
      const [row] = await sql('select * from binary_trades where id = ?', [tradeId]);
      return row && row.status !== 'OPEN' ? row : undefined;
    },
    30_000,
    `settlement of ${tradeId}`,
  );

/**
 * Settled at the price recorded for the expiry second. Whether that price wins and what it pays
 * is checked against hand-computed cases in binary-outcomes.test.ts, not recomputed here.
 */
async function expectSettledByRecordedPrices(tradeId: string) {
  const row = await settled(tradeId);
  const second = new Date(Math.floor(new Date(row.expires_at).getTime() / 1000) * 1000);
  const [tick] = await sql('select price from price_ticks where symbol = ? and at = ?', [row.symbol, second]);
  expect(Number(row.close_price)).toBe(Number(tick.price));
  expect(['WON', 'LOST', 'TIE']).toContain(row.status);
  return row;
}

describe('opening and settling', () => {
  it('opens UP and DOWN with 2 s expiry and settles each by the recorded prices; balances and ledger agree', async () => {
    const user = await fundedUser(http, '1000.00');
    const [up, down] = await Promise.all([
      openTrade(http, user, { symbol: 'BTCUSD', direction: 'UP', stake: '100', expiry: 2 }),
      openTrade(http, user, { symbol: 'BTCUSD', direction: 'DOWN', stake: 50.5, expiry: 2 }),
    ]);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ status: 'OPEN', stake: 10_000, payoutRate: 0.85, symbol: 'BTCUSD' });
    expect(new Date(up.body.expiresAt).getTime() - new Date(up.body.openedAt).getTime()).toBe(2000);
    expect(await balanceOf(user.id)).toBe(100_000 - 10_000 - 5_050); // debited before the 201

    const a = await expectSettledByRecordedPrices(up.body.id);
    const b = await expectSettledByRecordedPrices(down.body.id);
    expect(await balanceOf(user.id)).toBe(100_000 - 10_000 - 5_050 + Number(a.payout) + Number(b.payout));
    expect(await ledgerSum()).toBe(0);

    const read = await http.get(`/binary/${up.body.id}`, user.token);
    expect(read.body).toMatchObject({ id: up.body.id, status: a.status, closePrice: Number(a.close_price) });
    const settledList = await http.get('/binary?status=' + a.status, user.token);
    expect(settledList.body.items.map((t: any) => t.id)).toContain(up.body.id);
    expect((await http.get('/binary?status=OPEN', user.token)).body.total).toBe(0);
  });

  it('refunds the stake on a TIE (flat market)', async () => {
    // A symbol of its own: another test recording ETHUSD in the same second would price this trade.
    const symbol = uniqueSymbol();
    const flat = await createTestContext({
      MARKET_VOLATILITY_BPS: '0',
      SYMBOLS: `BTCUSD,ETHUSD,${symbol}`,
      MARKET_BASE_PRICES: `BTCUSD=43000,ETHUSD=2300,${symbol}=2300`,
    });
    try {
      await startTestWorker(flat);
      const flatHttp = httpClient((await startTestApi(flat)).url);
      const user = await fundedUser(flatHttp, '20');
      const res = await openTrade(flatHttp, user, { symbol, direction: 'UP', stake: '10', expiry: 1 });
      expect(res.status).toBe(201);
      const row = await expectSettledByRecordedPrices(res.body.id);
      expect(row.status).toBe('TIE');
      expect(await balanceOf(user.id)).toBe(2_000);
    } finally {
      await flat.shutdown.run('test done');
    }
  });

  it('200 trades by 20 users expiring within the same second all settle exactly once', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => fundedUser(http, '100')));
    const opened = await Promise.all(
      users.flatMap((u) =>
        Array.from({ length: 10 }, (_, i) =>
          openTrade(http, u, {
            symbol: i % 2 ? 'ETHUSD' : 'BTCUSD',
            direction: i % 3 ? 'UP' : 'DOWN',
            stake: '5',
            expiry: 3,
          }),
        ),
      ),
    );
    expect(opened.map((r) => r.status)).toEqual(Array(200).fill(201));
    const ids = opened.map((r) => r.body.id as string);
    await eventually(
      async () => {
        const [r] = await sql(`select count(*) n from binary_trades where id in (?) and status = 'OPEN'`, [ids]);
        return Number(r.n) === 0;
      },
      90_000,
      'all 200 settled',
    );

    const settles = await sql(
      `select count(*) n, count(distinct idempotency_key) k from ledger_transactions where kind = 'binary-settle' and idempotency_key in (?)`,
      [ids.map((id) => `binary-${id}-settle`)],
    );
    const losers = await sql(`select count(*) n from binary_trades where id in (?) and status = 'LOST'`, [ids]);
    expect(Number(settles[0].n)).toBe(200);
    expect(Number(settles[0].k)).toBe(200);
    expect(Number(losers[0].n)).toBeLessThan(200);
    for (const u of users) {
      const [p] = await sql(`select coalesce(sum(payout), 0) p from binary_trades where user_id = ?`, [u.id]);
      expect(await balanceOf(u.id)).toBe(10_000 - 10 * 500 + Number(p.p));
    }
    expect(await ledgerSum()).toBe(0);

    // The settlement run twice more for one trade (as a retried activity would) pays nothing more.
    const deps = {
      em: ctx.orm.em.fork(),
      feed: priceFeedFromConfig(ctx.config, () => ctx.orm.em.fork()),
      lock: ctx.lock,
    };
    const before = await balanceOf(users[0]!.id);
    const again = await settleBinaryTrade(deps, ids[0]!);
    const twice = await settleBinaryTrade({ ...deps, em: ctx.orm.em.fork() }, ids[0]!);
    expect([again.settledNow, twice.settledNow]).toEqual([false, false]);
    expect(await balanceOf(users[0]!.id)).toBe(before);
  });
});

describe('refusals: a clear 4xx and no ledger row', () => {
  it.each<[string, Record<string, unknown>, number, string]>([
    ['unknown symbol', { symbol: 'DOGEUSD', direction: 'UP', stake: '10', expiry: 5 }, 400, 'symbol'],
    ['stake 0', { symbol: 'BTCUSD', direction: 'UP', stake: '0', expiry: 5 }, 400, 'stake'],
    ['negative stake', { symbol: 'BTCUSD', direction: 'UP', stake: -5, expiry: 5 }, 400, 'stake'],
    ['stake with 3 decimals', { symbol: 'BTCUSD', direction: 'UP', stake: '1.234', expiry: 5 }, 400, 'stake'],
    ['stake above MAX_TRADE_SIZE', { symbol: 'BTCUSD', direction: 'UP', stake: '100000.01', expiry: 5 }, 400, 'stake'],
    ['expiry 0', { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 0 }, 400, 'expiry'],
    ['expiry too long', { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 86_401 }, 400, 'expiry'],
    ['bad direction', { symbol: 'BTCUSD', direction: 'SIDEWAYS', stake: '10', expiry: 5 }, 400, 'direction'],
  ])('%s', async (_name, body, status, path) => {
    const user = await fundedUser(http, '50');
    const rowsBefore = await ledgerRowsOf(user.id);
    const res = await openTrade(http, user, body);
    expect(res.status).toBe(status);
    expect(res.body.error.details.map((d: any) => d.path[0])).toContain(path);
    expect(await ledgerRowsOf(user.id)).toBe(rowsBefore);
    expect(await sql('select 1 from binary_trades where user_id = ?', [user.id])).toHaveLength(0);
  });

  it('insufficient balance -> 422 with no trade row and no ledger row', async () => {
    const user = await fundedUser(http, '10');
    const res = await openTrade(http, user, { symbol: 'BTCUSD', direction: 'UP', stake: '10.01', expiry: 5 });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(await ledgerRowsOf(user.id)).toBe(1);
    expect(await sql('select 1 from binary_trades where user_id = ?', [user.id])).toHaveLength(0);
    expect(await balanceOf(user.id)).toBe(1_000);
  });

  it('frozen user and locked wallet -> 403 with their own codes', async () => {
    const frozen = await fundedUser(http, '50');
    await sql(`update users set status = 'FROZEN' where id = ?`, [frozen.id]);
    const a = await openTrade(http, frozen, { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 5 });
    expect([a.status, a.body.error.code]).toEqual([403, 'ACCOUNT_FROZEN']);
    const spot = await http.post(
      '/trades',
      { symbol: 'BTCUSD', side: 'BUY', quantity: '0.1', price: '43000' },
      frozen.token,
    );
    expect([spot.status, spot.body.error.code]).toEqual([403, 'ACCOUNT_FROZEN']);

    const locked = await fundedUser(http, '50');
    await sql(`update wallets set locked = true, locked_reason = 'test' where user_id = ?`, [locked.id]);
    const b = await openTrade(http, locked, { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 5 });
    expect([b.status, b.body.error.code]).toEqual([403, 'WALLET_LOCKED']);
    expect(await ledgerRowsOf(frozen.id)).toBe(1);
    expect(await ledgerRowsOf(locked.id)).toBe(1);
  });

  it("another user's trade is a 404; an admin can read it", async () => {
    const owner = await fundedUser(http, '20');
    const res = await openTrade(http, owner, { symbol: 'BTCUSD', direction: 'UP', stake: '5', expiry: 1 });
    const other = await registerUser(http);
    expect((await http.get(`/binary/${res.body.id}`, other.token)).status).toBe(404);
    expect((await http.get(`/binary/${randomUUID()}`, owner.token)).status).toBe(404);
    expect((await http.get(`/binary/${res.body.id}`, (await createStaff(ctx)).token)).status).toBe(200);
    await settled(res.body.id);
  });
});

describe('idempotency', () => {
  it('a repeated open with the same key returns the same trade and debits once; another body is 422', async () => {
    const user = await fundedUser(http, '100');
    const key = `open-${randomUUID()}`;
    const body = { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 2 };
    const [first, second] = await Promise.all([openTrade(http, user, body, key), openTrade(http, user, body, key)]);
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const third = await openTrade(http, user, body, key);
    expect(third.body).toEqual(first.body);
    expect(await balanceOf(user.id)).toBe(9_000);
    const different = await openTrade(http, user, { ...body, stake: '11' }, key);
    expect([different.status, different.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    await settled(first.body.id);
  });

  it('a repeated deposit with the same key moves money once and answers the same', async () => {
    const user = await registerUser(http);
    const key = `dep-${randomUUID()}`;
    const a = await http.post('/wallet/deposit', { amount: '25.50' }, user.token, { 'idempotency-key': key });
    const b = await http.post('/wallet/deposit', { amount: 25.5 }, user.token, { 'idempotency-key': key });
    expect(a.status).toBe(201);
    expect(b.body).toEqual(a.body);
    expect(a.body).toMatchObject({ kind: 'deposit', amount: 2_550, balance: 2_550 });
    expect(await balanceOf(user.id)).toBe(2_550);
    const c = await http.post('/wallet/deposit', { amount: '30' }, user.token, { 'idempotency-key': key });
    expect([c.status, c.body.error.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const noKey = await http.post('/wallet/deposit', { amount: '30' }, user.token);
    expect(noKey.status).toBe(400);
    expect((await http.get('/wallet', user.token)).body).toMatchObject({
      balance: 2_550,
      balanceFormatted: '25.50',
      locked: false,
    });
  });

  it('withdrawal needs an approved KYC (403 KYC_REQUIRED), then debits once per key', async () => {
    const user = await fundedUser(http, '100');
    const key = `wd-${randomUUID()}`;
    const refused = await http.post('/wallet/withdraw', { amount: '10' }, user.token, { 'idempotency-key': key });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'KYC_REQUIRED']);
    await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
    const ok = await http.post('/wallet/withdraw', { amount: '10' }, user.token, { 'idempotency-key': key });
    const again = await http.post('/wallet/withdraw', { amount: '10' }, user.token, { 'idempotency-key': key });
    expect(ok.status).toBe(201);
    expect(again.body).toEqual(ok.body);
    expect(await balanceOf(user.id)).toBe(9_000);
    const tooMuch = await http.post('/wallet/withdraw', { amount: '90.01' }, user.token, {
      'idempotency-key': `wd-${randomUUID()}`,
    });
    expect([tooMuch.status, tooMuch.body.error.code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
  });
});

describe('durability', () => {
  it('a worker stopped before expiry and restarted after it settles the trade once', async () => {
    const c = await createTestContext();
    const cHttp = httpClient((await startTestApi(c)).url);
    const stopped = await createTestContext({}, c.taskQueues);
    await startTestWorker(stopped);
    const user = await fundedUser(cHttp, '10');
    const res = await openTrade(cHttp, user, { symbol: 'BTCUSD', direction: 'DOWN', stake: '10', expiry: 4 });
    expect(res.status).toBe(201);
    await stopped.shutdown.run('worker stops before expiry');
    expect(Date.now()).toBeLessThan(new Date(res.body.expiresAt).getTime()); // else this proves nothing
    // The expiry timer fires on the server, and with no worker polling nothing acts on it.
    const events = await historyShows(
      c.temporal.workflow.getHandle(binaryWorkflowId(res.body.id)),
      (ev) => ev.some((e) => e.timerFiredEventAttributes) && ev,
      'the expiry timer fired',
    );
    const fired = events.findIndex((e) => e.timerFiredEventAttributes);
    expect(events.slice(fired + 1).some((e) => e.workflowTaskCompletedEventAttributes)).toBe(false);
    expect((await sql('select status from binary_trades where id = ?', [res.body.id]))[0].status).toBe('OPEN');
    const restarted = await createTestContext({}, c.taskQueues);
    try {
      await startTestWorker(restarted);
      await expectSettledByRecordedPrices(res.body.id);
      const [n] = await sql(`select count(*) n from ledger_transactions where idempotency_key = ?`, [
        `binary-${res.body.id}-settle`,
      ]);
      expect(Number(n.n)).toBe(1);
    } finally {
      await restarted.shutdown.run('done');
      await c.shutdown.run('done');
    }
  });

  it('reconciliation settles an OPEN trade past expiry whose workflow is missing', async () => {
    const user = await fundedUser(http, '10');
    const tradeId = randomUUID();
    const feed = priceFeedFromConfig(ctx.config, () => ctx.orm.em.fork());
    await openBinaryTrade(ctx.orm.em.fork(), feed, ctx.amlChecks, {
      tradeId,
      userId: user.id,
      symbol: 'BTCUSD',
      direction: 'UP',
      stake: 500,
      payoutRateBps: 8500,
      expirySeconds: 1,
    });
    await sql(
      `update binary_trades set expires_at = now() - interval '1 minute', opened_at = now() - interval '2 minutes' where id = ?`,
      [tradeId],
    );
    const trades = ctx.binaryTrades;
    // Another test file's worker may reconcile first (they share the database): either way, settled once.
    await trades.reconcile(ctx.orm.em.fork(), ctx.logger);
    const run = await ctx.temporal.workflow.getHandle(binaryWorkflowId(tradeId)).describe();
    expect(run.type).toBe('binaryTrade');
    workflowIds.push(binaryWorkflowId(tradeId));
    await expectSettledByRecordedPrices(tradeId);
    const [n] = await sql(`select count(*) n from ledger_transactions where idempotency_key = ?`, [
      `binary-${tradeId}-settle`,
    ]);
    expect(Number(n.n)).toBe(1);
    expect(await trades.reconcile(ctx.orm.em.fork(), ctx.logger)).not.toContain(tradeId);
  });
});

describe('settlement failure and admin retry', () => {
  it('exhausted retries -> SETTLEMENT_FAILED + admin alert; an admin retry settles it; the stake is never lost', async () => {
    const exchange = await startFakeExchange();
    exchange.state.closePrice = '43000.10';
    // A symbol of its own: the simulated BTCUSD another test records in the same second would win.
    const symbol = uniqueSymbol();
    const ex = await createTestContext({ MARKET_FEED: 'EXCHANGE', EXCHANGE_BASE_URL: exchange.url, SYMBOLS: symbol });
    try {
      await startTestWorker(ex);
      const exHttp = httpClient((await startTestApi(ex)).url);
      const user = await fundedUser(exHttp, '100');
      exchange.state.down = true;
      const res = await openTrade(exHttp, user, { symbol, direction: 'UP', stake: '10', expiry: 1 });
      expect(res.status).toBe(201);
      expect(res.body.openPrice).toBe(4_300_000);
      // 3 attempts, 2 s then 4 s apart.
      const failed = await eventually(
        async () => {
          const [row] = await sql('select status, failure from binary_trades where id = ?', [res.body.id]);
          return row.status === 'SETTLEMENT_FAILED' ? row : undefined;
        },
        30_000,
        'SETTLEMENT_FAILED',
      );
      expect(failed.failure).toMatch(/503/);
      expect(await balanceOf(user.id)).toBe(9_000);
      const [escrow] = await sql(
        `select sum(amount) s from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
        where e.account = 'system:binary-escrow' and t.idempotency_key like ?`,
        [`binary-${res.body.id}-%`],
      );
      expect(Number(escrow.s)).toBe(1_000); // held, not lost

      expect((await exHttp.post(`/binary/admin/${res.body.id}/retry-settlement`, {}, user.token)).status).toBe(403);
      exchange.state.down = false;
      const admin = await createStaff(ex);
      expect((await exHttp.post(`/binary/admin/${res.body.id}/retry-settlement`, {}, admin.token)).status).toBe(202);
      const row = await eventually(
        async () => {
          const [r] = await sql('select * from binary_trades where id = ?', [res.body.id]);
          return r.status === 'WON' ? r : undefined;
        },
        30_000,
        'WON after the retry',
      );
      expect(Number(row.close_price)).toBe(4_300_010);
      expect(await balanceOf(user.id)).toBe(9_000 + 1_850);
      workflowIds.push(binaryWorkflowId(res.body.id));
    } finally {
      await ex.shutdown.run('done');
      await exchange.close();
    }
  });
});

describe('replay', () => {
  it('replays the binaryTrade histories recorded above without non-determinism', async () => {
    const histories = [];
    for (const id of workflowIds.slice(0, 30)) {
      const handle = ctx.temporal.workflow.getHandle(id);
      const { status } = await handle.describe().catch(() => ({ status: { name: 'UNKNOWN' } }));
      if (status.name === 'COMPLETED') histories.push({ workflowId: id, history: await handle.fetchHistory() });
    }
    expect(histories.length).toBeGreaterThanOrEqual(10);
    let n = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: await testWorkflowBundle() }, histories)) {
      expect(r.error).toBeUndefined();
      n++;
    }
    expect(n).toBe(histories.length);
  });
});
