import Redis from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/kernel/http/app';
import { buildRouters } from '../../src/main/routers';
import { EMPTY_STATS, welfordUpdate } from '../../src/features/arbitrage/rules';
import type { AppContext } from '../../src/main/context';
import type { VenueQuoteSource } from '../../src/features/market/venue';
import { initQueues, queueSet } from '../../src/main/queues';
import { AI_SCAN_SCHEDULER_ID } from '../../src/features/arbitrage/queue';
import { SpreadStats } from '../../src/features/arbitrage/scanner';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser } from '../helpers/http';

/** A venue with quotes the test sets; `fail` makes every quote request throw. */
class CraftedVenue implements VenueQuoteSource {
  quotes = new Map<string, { bid: number; ask: number }>();
  constructor(
    readonly venue: string,
    readonly feeBps: number,
    private readonly fail = false,
  ) {}
  async quote(symbol: string) {
    const q = this.quotes.get(symbol);
    if (this.fail || !q) throw new Error(`${this.venue}: no quote for ${symbol}`);
    return { ...q, at: new Date() };
  }
}

const contexts: AppContext[] = [];
afterAll(async () => {
  for (const ctx of contexts) await ctx.shutdown.run('test done');
});

describe('ai-arbitrage scheduler', () => {
  it('keeps exactly one job scheduler and one pending scan however many workers start', async () => {
    const first = await createTestContext({ AI_SCAN_INTERVAL_MS: '60000' });
    contexts.push(first);
    const prefix = first.config.REDIS_PREFIX;
    const others = await Promise.all(
      [1, 2].map(() => createTestContext({ REDIS_PREFIX: prefix, AI_SCAN_INTERVAL_MS: '60000' })),
    );
    contexts.push(...others);
    // Three worker processes start at once, each registering the recurring scan.
    await Promise.all([first, ...others].map((ctx) => initQueues(ctx, { workers: ['ai'] })));
    await initQueues(first, { workers: ['ai'] }); // and a restart

    const queue = queueSet(first).ai.queue;
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const [scheduler] = await queue.getJobSchedulers();
    expect(scheduler).toMatchObject({ key: AI_SCAN_SCHEDULER_ID, every: 60000 });
    // The first scan runs; afterwards exactly one next scan is pending.
    await eventually(async () => (await queue.getJobCounts('completed')).completed >= 1, 30_000, 'first scan');
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed');
    expect(counts.waiting + counts.active + counts.delayed + counts.prioritized).toBe(1);
    expect(counts.completed).toBe(1);
  });
});

describe('ai-arbitrage scan', () => {
  let ctx: AppContext;
  let server: Server;
  const A = new CraftedVenue('A', 10);
  const B = new CraftedVenue('B', 15);
  const C = new CraftedVenue('C', 5);
  const down = new CraftedVenue('D', 0, true);

  beforeAll(async () => {
    ctx = await createTestContext({ AI_SCAN_SCHEDULE: 'false', SYMBOLS: 'BTCUSD,ETHUSD' });
    contexts.push(ctx);
    await initQueues(ctx, { workers: ['ai'], venues: [A, B, C, down] });
    server = createServer(
      createApp({ logger: ctx.logger, orm: ctx.orm, bodyLimit: '10kb', routers: buildRouters(ctx) }).callback(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('finds the planted opportunity and no false one, stores it with a TTL and publishes it', async () => {
    // Planted: buy BTCUSD at A's ask 10000, sell at B's bid 10040 -> 40 bps > 10 + 15 bps fees.
    A.quotes.set('BTCUSD', { bid: 9990, ask: 10000 });
    B.quotes.set('BTCUSD', { bid: 10040, ask: 10050 });
    C.quotes.set('BTCUSD', { bid: 10000, ask: 10030 }); // C->B: 10 bps < 5 + 15
    // Near misses on ETHUSD: A->B 20 bps < 25, A->C 10 bps < 15, overlapping books elsewhere.
    A.quotes.set('ETHUSD', { bid: 1999, ask: 2000 });
    B.quotes.set('ETHUSD', { bid: 2004, ask: 2006 });
    C.quotes.set('ETHUSD', { bid: 2002, ask: 2003 });

    const sub = new Redis(process.env.TEST_REDIS_URL!);
    const published: Buffer[] = [];
    sub.on('pmessageBuffer', (_p: Buffer, _c: Buffer, message: Buffer) => published.push(message));
    await sub.psubscribe(`${ctx.config.REDIS_PREFIX}:socket.io*`);

    const job = await queueSet(ctx).ai.scheduleAIScan({ jobId: 'scan-planted' });
    const result = await eventually(
      async () => {
        const j = await queueSet(ctx).ai.queue.getJob(job.id!);
        return (await j?.getState()) === 'completed' && j!.returnvalue;
      },
      30_000,
      'scan completed',
    );
    expect(result).toMatchObject({ symbols: 2, opportunities: 1, skipped: [] });

    const http = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((await http.get('/arbitrage/opportunities')).status).toBe(401);
    const user = await registerUser(http);
    const res = await http.get('/arbitrage/opportunities', user.token);
    expect(res.status).toBe(200);
    expect(res.body.opportunities).toHaveLength(1);
    expect(res.body.opportunities[0]).toMatchObject({
      symbol: 'BTCUSD',
      buyVenue: 'A',
      sellVenue: 'B',
      buyPrice: 10000,
      sellPrice: 10040,
      grossSpreadBps: 40,
      feesBps: 25,
      netSpreadBps: 15,
      anomalyScore: 0,
    });
    expect((await http.get('/arbitrage/opportunities?symbol=ETHUSD', user.token)).body.opportunities).toEqual([]);
    expect((await http.get('/arbitrage/opportunities?limit=0', user.token)).status).toBe(400);

    const id = res.body.opportunities[0].id;
    const ttl = await ctx.redis.ttl(`{${ctx.config.REDIS_PREFIX}:arbitrage}:opportunity:${id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ctx.config.ARBITRAGE_OPPORTUNITY_TTL_SECONDS);

    await eventually(async () => published.length >= 1, 5000, 'published event');
    const text = published.map((b) => b.toString('latin1')).join('\n');
    expect(text).toContain('arbitrage:opportunity');
    expect(text).toContain(id);
    expect(published).toHaveLength(1);
    await sub.quit();
  });

  it('scores a spread far from the running mean as an anomaly', async () => {
    // Three ordinary scans of ETHUSD with best spreads 20, 22, 21 bps, then a jump to 60 bps.
    const scan = async (bid: number, id: string) => {
      B.quotes.set('ETHUSD', { bid, ask: bid + 2 });
      const job = await queueSet(ctx).ai.scheduleAIScan({ symbols: ['ETHUSD'], jobId: id });
      return eventually(
        async () => {
          const j = await queueSet(ctx).ai.queue.getJob(job.id!);
          return (await j?.getState()) === 'completed' && j!.returnvalue;
        },
        30_000,
        id,
      );
    };
    await scan(2004.4, 'scan-e1');
    await scan(2004.2, 'scan-e2');
    await scan(2004.6, 'scan-e3');
    const spike = await scan(2012, 'scan-e4');
    expect(spike.anomalies.ETHUSD).toBeGreaterThan(3);
    // A->B 60 bps beats 10 + 15; C->B 44.9 bps beats 5 + 15.
    expect(spike.opportunities).toBe(2);
  });
});

describe('spread statistics in Redis', () => {
  it('match Welford in the domain and count a retried scan once', async () => {
    const ctx = await createTestContext();
    contexts.push(ctx);
    const stats = new SpreadStats(ctx.redis, ctx.config.REDIS_PREFIX);
    const xs = [10, 12.5, 11, -3, 40];
    let expected = EMPTY_STATS;
    for (const [i, x] of xs.entries()) {
      const before = await stats.observe('XYZ', x, `scan-${i}`);
      expect(before.n).toBe(expected.n);
      expect(before.mean).toBeCloseTo(expected.mean, 9);
      expect(before.m2).toBeCloseTo(expected.m2, 9);
      expected = welfordUpdate(expected, x);
    }
    // A retry of the last scan: the same "before", nothing added.
    const again = await stats.observe('XYZ', 40, 'scan-4');
    expect(again.n).toBe(4);
    const now = await stats.get('XYZ');
    expect(now.n).toBe(5);
    expect(now.mean).toBeCloseTo(expected.mean, 9);
    expect(now.m2).toBeCloseTo(expected.m2, 9);
  });
});
