/**
 * Runs only in `npm run test:redis-cluster` (a private three-master cluster): checks that the
 * application really works on the cluster and places keys where the cluster needs them.
 */
import { randomUUID } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { LiveClient } from '../helpers/live-client';
import { closeRedis, createRedis } from '../../src/kernel/redis/client';
import { eventPublisherFor } from '../../src/features/realtime/publisher';

const nodes = (process.env.TEST_REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);
/** One plain connection per master, to see which node really holds a key. */
const masters = nodes.map((n) => {
  const [host, port] = n.split(':');
  return new Redis({ host, port: Number(port), lazyConnect: true });
});
let ctx: AppContext;

beforeAll(async () => {
  if (nodes.length !== 3) throw new Error('run with npm run test:redis-cluster (TEST_REDIS_CLUSTER_NODES unset)');
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.shutdown.run('test end');
  masters.forEach((m) => m.disconnect());
});

/** The masters' ports holding keys that match `pattern`, with the keys. */
async function whereKeys(pattern: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const m of masters) {
    const keys = await m.keys(pattern);
    if (keys.length) found.set(m.options.port!, keys.sort());
  }
  return found;
}

describe('on a three-master Redis Cluster', () => {
  it('the process context is a cluster client, and plain keys spread over the masters', async () => {
    expect(ctx.redis).toBeInstanceOf(Cluster);
    await eventually(async () => (ctx.redis as Cluster).nodes('master').length === 3, 10_000, 'three masters');
    const prefix = ctx.config.REDIS_PREFIX;
    await Promise.all(Array.from({ length: 30 }, (_, i) => ctx.redis.set(`${prefix}:spread:${i}`, '1', 'EX', 60)));
    const where = await whereKeys(`${prefix}:spread:*`);
    expect(where.size).toBe(3);
    expect([...where.values()].flat()).toHaveLength(30);
  });

  it("a lock's acquire script runs on the master of its slot (no CROSSSLOT with its legacy counter) and leaves no key", async () => {
    const id = randomUUID();
    const legacy = `${ctx.lock.keyFor(`wallet:${id}`)}:fence`;
    await ctx.redis.set(legacy, 7);
    const held = await ctx.lock.acquire(`wallet:${id}`, 5_000);
    expect(held?.fencingToken).toBeGreaterThan(7);
    const slots = await Promise.all(
      [ctx.lock.keyFor(`wallet:${id}`), legacy].map((k) => masters[0]!.cluster('KEYSLOT', k)),
    );
    expect(slots[0]).toBe(slots[1]);
    expect(await ctx.lock.release(`wallet:${id}`, held!.value)).toBe(true);
    expect((await whereKeys(`${ctx.config.REDIS_PREFIX}:lock:*${id}*`)).size).toBe(0);
  });

  it('every key of a BullMQ queue is on one slot, so its scripts run (no CROSSSLOT)', async () => {
    await ctx.email.enqueue({ template: 'welcome', to: 'cluster@example.test', data: { name: 'C' } }, 'cluster-1');
    await ctx.email.enqueue({ template: 'welcome', to: 'cluster@example.test', data: { name: 'C' } }, 'cluster-2');
    expect(await ctx.email.queue.getWaitingCount()).toBe(2);
    const where = await whereKeys(`*${ctx.config.REDIS_PREFIX}*email-notifications*`);
    expect(where.size).toBe(1);
    const keys = [...where.values()][0]!;
    expect(keys.length).toBeGreaterThanOrEqual(4); // id counter, meta, wait list, two job hashes...
    const slots = new Set(await Promise.all(keys.map((k) => masters[0]!.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
  });

  it('live events go out by SPUBLISH, and an event id published twice goes out once', async () => {
    const sub = new Cluster(
      nodes.map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })),
      { shardedSubscribers: true },
    );
    const received: { channel: string; message: string }[] = [];
    sub.on('smessage', (channel: string, message: string) => received.push({ channel, message }));
    try {
      const channel = `{${ctx.config.REDIS_PREFIX}:socket.io}#/#`;
      await sub.ssubscribe(channel);
      const userId = randomUUID();
      const payload = { userId, balance: 1234, at: new Date().toISOString() };
      const onceId = randomUUID();
      await ctx.events.publish(`user:${userId}`, 'wallet:balance', payload, { onceId });
      await ctx.events.publish(`user:${userId}`, 'wallet:balance', payload, { onceId });
      await ctx.events.publish(`user:${userId}`, 'wallet:balance', { ...payload, balance: 99 });
      await eventually(async () => received.length >= 2, 5_000, 'two sharded messages');
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive by now
      expect(received).toHaveLength(2);
      const balances = received.map((r) => JSON.parse(r.message).data.packet.data[1].balance);
      expect(balances).toEqual([1234, 99]);
      expect(JSON.parse(received[0]!.message).data.opts.rooms).toEqual([`user:${userId}`]);
    } finally {
      sub.disconnect();
    }
  });

  it("an API instance's adapter listens by SSUBSCRIBE, and another process's publish reaches its socket", async () => {
    const api = await startTestApi(ctx);
    const userId = randomUUID();
    const client = await LiveClient.connect(api.url, await ctx.tokens.issue({ userId, role: 'USER' }));
    // A separate client, as a worker process would have.
    const publisherRedis = createRedis({ url: '', clusterNodes: nodes });
    try {
      const channel = `{${ctx.config.REDIS_PREFIX}:socket.io}#/#`;
      const subscribers = async (command: 'SHARDNUMSUB' | 'NUMSUB') => {
        const replies = await Promise.all(masters.map((m) => m.call('PUBSUB', command, channel)));
        return replies.reduce((sum: number, r) => sum + Number((r as [string, number])[1]), 0);
      };
      // The adapter subscribes without waiting for the reply: give a loaded machine a moment.
      await eventually(async () => (await subscribers('SHARDNUMSUB')) === 1, 10_000, 'one sharded subscriber');
      expect(await subscribers('SHARDNUMSUB')).toBe(1);
      expect(await subscribers('NUMSUB')).toBe(0);

      const publisher = eventPublisherFor(publisherRedis, ctx.config);
      const at = new Date().toISOString();
      await publisher.publish(`user:${userId}`, 'wallet:balance', { userId, balance: 4321, at });
      const got = await client.waitFor('wallet:balance', (p) => p.userId === userId, 10_000);
      // The envelope, as on one server: a new user's first number, money in USD at scale 2.
      expect(got.payload).toEqual({
        userId,
        balance: 4321,
        at,
        eventId: expect.any(String),
        seq: 1,
        currency: 'USD',
        scale: 2,
      });
    } finally {
      client.close();
      await closeRedis(publisherRedis);
    }
  });
});
