import { randomUUID } from 'node:crypto';
import { closeRedis, createRedis, isCluster, reconnectDelay, type RedisClient } from '../../src/kernel/redis/client';
import {
  BINARY_TRADE_LOCK_MS,
  DistributedLock,
  lockBinaryTrade,
  lockTrade,
  lockWallet,
  TRADE_LOCK_MS,
  unlockTrade,
  WALLET_LOCK_MS,
} from '../../src/kernel/redis/distributed-lock';
import { testRedisConnection } from '../helpers/redis';

let redis: RedisClient;
let lock: DistributedLock;
const prefix = `test-${randomUUID().slice(0, 8)}:lock`;

beforeAll(() => {
  redis = createRedis(testRedisConnection());
  lock = new DistributedLock(redis, prefix, { hashTagged: isCluster(testRedisConnection()) });
});
afterAll(() => closeRedis(redis));

describe('DistributedLock on real Redis', () => {
  it('50 concurrent withLock on one key never overlap (max concurrency 1)', async () => {
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        lock.withLock(
          'shared',
          async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            await new Promise((r) => setTimeout(r, 2));
            runs++;
            inside--;
          },
          5_000,
          { waitMs: 30_000, retryDelayMs: 5 },
        ),
      ),
    );
    expect(runs).toBe(50);
    expect(maxInside).toBe(1);
  });

  it('release with a wrong value leaves the lock; the holder can release it', async () => {
    const held = await lock.acquire('k1', 5_000);
    expect(held).not.toBeNull();
    expect(await lock.acquire('k1', 5_000)).toBeNull();
    expect(await lock.release('k1', 'not-the-holder')).toBe(false);
    expect(await lock.acquire('k1', 5_000)).toBeNull();
    expect(await lock.release('k1', held!.value)).toBe(true);
    expect(await lock.acquire('k1', 5_000)).not.toBeNull();
  });

  it('an expired lock can be taken again, with a larger fencing token; the old holder cannot release it', async () => {
    const first = await lock.acquire('k2', 100);
    await new Promise((r) => setTimeout(r, 200));
    const second = await lock.acquire('k2', 5_000);
    expect(second).not.toBeNull();
    expect(second!.fencingToken).toBeGreaterThan(first!.fencingToken);
    expect(await lock.release('k2', first!.value)).toBe(false);
    expect(await lock.release('k2', second!.value)).toBe(true);
  });

  it('leaves no key behind: 200 locks taken and released, and one left to expire, leave nothing under the prefix', async () => {
    const scope = `${prefix}-left`;
    const counted = new DistributedLock(redis, scope, { hashTagged: isCluster(testRedisConnection()) });
    const tokens: number[] = [];
    for (let i = 0; i < 200; i++) {
      const held = await counted.acquire(`k${i % 20}`, 5_000);
      tokens.push(held!.fencingToken);
      expect(await counted.release(`k${i % 20}`, held!.value)).toBe(true);
    }
    expect(await counted.acquire('expiring', 50)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 150));
    // Each key was locked 10 times in turn: its tokens only grow.
    for (let i = 20; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 20]!);
    expect(await redis.keys(`${scope}:*`)).toEqual([]);
  });

  it('a fencing counter left by the previous version is exceeded by the next token, then deleted', async () => {
    const legacy = `${lock.keyFor('k5')}:fence`;
    const far = Date.now() * 1000 + 3_600_000_000; // an hour ahead of the clock-based tokens
    await redis.set(legacy, far);
    const held = await lock.acquire('k5', 5_000);
    expect(held!.fencingToken).toBe(far + 1);
    expect(await redis.exists(legacy)).toBe(0);
    expect(await lock.release('k5', held!.value)).toBe(true);
    const next = await lock.acquire('k5', 5_000);
    expect(next!.fencingToken).toBeGreaterThan(0);
    expect(await lock.release('k5', next!.value)).toBe(true);
  });

  it('withLock gives up with CONFLICT when the lock stays taken, and releases after a failing fn', async () => {
    await lock.acquire('k3', 5_000);
    await expect(lock.withLock('k3', async () => 1, 1_000, { waitMs: 100 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(lock.withLock('k4', async () => Promise.reject(new Error('boom')), 5_000)).rejects.toThrow('boom');
    expect(await lock.acquire('k4', 1_000)).not.toBeNull();
  });

  it("the seed's helpers use their TTLs (trade 10 s, wallet 5 s, binary trade 10 s)", async () => {
    const id = randomUUID();
    const t = await lockTrade(lock, id);
    const w = await lockWallet(lock, id);
    const b = await lockBinaryTrade(lock, id);
    const ttl = async (key: string) => redis.pttl(lock.keyFor(key));
    expect(await ttl(`trade:${id}`)).toBeGreaterThan(TRADE_LOCK_MS - 1_000);
    expect(await ttl(`wallet:${id}`)).toBeLessThanOrEqual(WALLET_LOCK_MS);
    expect(await ttl(`wallet:${id}`)).toBeGreaterThan(WALLET_LOCK_MS - 1_000);
    expect(await ttl(`binary:${id}`)).toBeGreaterThan(BINARY_TRADE_LOCK_MS - 1_000);
    expect(await lockTrade(lock, id)).toBeNull();
    expect(await unlockTrade(lock, id, t!.value)).toBe(true);
    expect(w && b).toBeTruthy();
  });

  it('reconnects with exponential backoff from 50 ms capped at 3 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(reconnectDelay)).toEqual([50, 100, 200, 400, 800, 1600, 3000, 3000]);
  });
});
