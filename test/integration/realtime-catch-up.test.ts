import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';
import { LiveClient } from '../helpers/live-client';

let ctx: AppContext;
let http: HttpClient;
let url: string;
const workflows: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  await startTestWorker(ctx);
  url = (await startTestApi(ctx)).url;
  http = httpClient(url);
});
afterAll(async () => {
  for (const id of workflows)
    await ctx.temporal.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  await ctx.shutdown.run('test done');
});

const deposit = async (user: TestUser, amount: string) => {
  const res = await http.post('/wallet/deposit', { amount }, user.token, { 'idempotency-key': randomUUID() });
  expect(res.status).toBe(201);
  return res.body;
};

describe('socket event envelope', () => {
  it('every user event has an event id, the next per-user seq, and money events say currency and scale', async () => {
    const user = await registerUser(http);
    const live = await LiveClient.connect(url, user.token);
    await deposit(user, '100');
    await deposit(user, '0.05');
    const open = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'DOWN', stake: '12.34', expiry: 1 },
      user.token,
    );
    expect(open.status).toBe(201);
    workflows.push(binaryWorkflowId(open.body.id));
    const resolved = await live.waitFor('binary:resolved', (p) => p.tradeId === open.body.id);
    expect(resolved.payload).toMatchObject({
      symbol: 'BTCUSD',
      direction: 'DOWN',
      stake: 1234,
      currency: 'USD',
      scale: 2,
    });
    const balances = live.of('wallet:balance').map((e) => e.payload);
    expect(balances.slice(0, 2).map((b) => [b.balance, b.currency, b.scale])).toEqual([
      [10_000, 'USD', 2],
      [10_005, 'USD', 2],
    ]);
    const numbered = live.received.filter((e) => e.event !== 'session:ready').map((e) => e.payload);
    // Numbers start at 1 for a new user and have no gap; every event id is distinct.
    expect(numbered.map((p) => p.seq).sort((a, b) => a - b)).toEqual(numbered.map((_, i) => i + 1));
    expect(new Set(numbered.map((p) => p.eventId)).size).toBe(numbered.length);
    for (const p of numbered) expect(p.eventId).toEqual(expect.any(String));
    live.close();
  });
});

describe('catching up after a reconnect: GET /events?after=<seq>', () => {
  it('returns exactly the events missed while disconnected, in order', async () => {
    const user = await registerUser(http);
    // A second tab of the same user stays connected throughout: it sees what the first one misses.
    const watcher = await LiveClient.connect(url, user.token);
    const first = await LiveClient.connect(url, user.token);
    await deposit(user, '1');
    const seen = await first.waitFor('wallet:balance', (p) => p.balance === 100);
    const lastSeen = seen.payload.seq as number;
    first.close();

    await deposit(user, '2');
    await deposit(user, '3');
    await deposit(user, '4');
    const missed = await eventually(async () => {
      const got = watcher.received.filter((e) => e.event !== 'session:ready' && e.payload.seq > lastSeen);
      return got.length === 3 && got;
    });
    expect(missed.map((e) => e.payload.balance)).toEqual([300, 600, 1000]);

    const again = await LiveClient.connect(url, user.token);
    const page = await http.get(`/events?after=${lastSeen}`, user.token);
    expect(page.status).toBe(200);
    expect(page.body.truncated).toBe(false);
    expect(page.body.lastSeq).toBe(lastSeen + 3);
    expect(page.body.events.map((e: any) => e.payload.seq)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
    expect(page.body.events.map((e: any) => [e.event, e.payload.eventId, e.payload.balance])).toEqual(
      missed.map((e) => [e.event, e.payload.eventId, e.payload.balance]),
    );
    // Caught up: nothing after the last one, and the next live event continues the numbering.
    expect((await http.get(`/events?after=${lastSeen + 3}`, user.token)).body.events).toEqual([]);
    await deposit(user, '5');
    const next = await again.waitFor('wallet:balance', (p) => p.balance === 1500);
    expect(next.payload.seq).toBe(lastSeen + 4);
    for (const c of [watcher, again]) c.close();
  });

  it("is the caller's own log only, and refuses a bad cursor with 400", async () => {
    const a = await registerUser(http);
    const b = await registerUser(http);
    await deposit(a, '7');
    await eventually(async () => (await http.get('/events?after=0', a.token)).body.events.length >= 1);
    expect((await http.get('/events?after=0', b.token)).body).toEqual({ events: [], lastSeq: 0, truncated: false });
    expect((await http.get('/events?after=0')).status).toBe(401);
    for (const bad of ['-1', 'x', '1.5']) {
      const res = await http.get(`/events?after=${bad}`, a.token);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});
