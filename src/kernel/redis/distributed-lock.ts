import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { RedisClient } from './client';

export interface LockHandle {
  key: string;
  value: string;
  /**
   * Increasing per key: a holder whose lock expired has a smaller token than every later holder,
   * so a database write can refuse it. The Redis server's clock in microseconds (see ACQUIRE).
   */
  fencingToken: number;
}

/**
 * SET NX PX and the fencing token in one round trip. The token is the Redis server's time in
 * microseconds, so no counter outlives the lock (a per-key counter was never deleted: one key
 * left behind per resource ever locked, and an INCR round trip per acquisition). It still only
 * grows for a resource: a later holder acquires after the earlier one's key was deleted or
 * expired, hence later on the same server clock, and a stale holder (lock expired while it was
 * paused) always holds a smaller token than the holder that replaced it. A counter left by the
 * previous version (`<key>:fence`, far below any clock token) is read, exceeded and deleted.
 * Assumes the server clock does not step back (NTP slews it); if it did, a new holder's token could
 * sit below the one a database row registered and the row would refuse it until the clock passed
 * it: a delay, never a second write (binary settlement also has its ledger idempotency key).
 */
const ACQUIRE = `if not redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
local now = redis.call('time')
local token = tonumber(now[1]) * 1000000 + tonumber(now[2])
local legacy = tonumber(redis.call('get', KEYS[2]))
if legacy then
  token = math.max(token, legacy + 1)
  redis.call('del', KEYS[2])
end
return token`;

// Compare-and-delete: only the holder (same random value) may release.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const ACQUIRE_SHA = sha1(ACQUIRE);
const RELEASE_SHA = sha1(RELEASE);

/**
 * Redis lock: SET key value NX PX ttl, released with a Lua compare-and-delete. A lock is a first
 * gate only: money movements are also made safe in PostgreSQL (row locks, unique keys).
 */
export class DistributedLock {
  /**
   * `hashTagged` (on a Redis Cluster): the lock key is `<prefix>:{<key>}` and the previous
   * version's counter `<prefix>:{<key>}:fence`, one slot per lock, so the acquire script may touch
   * both. Off (one server) the names stay `<prefix>:<key>[:fence]`.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'lock',
    private readonly options: { hashTagged?: boolean } = {},
  ) {}

  /** The Redis key of a lock (the previous version's fencing counter is this plus `:fence`). */
  keyFor(key: string): string {
    return this.options.hashTagged ? `${this.prefix}:{${key}}` : `${this.prefix}:${key}`;
  }

  /** Returns the handle, or null when someone else holds the lock. */
  async acquire(key: string, ttlMs: number, value: string = randomUUID()): Promise<LockHandle | null> {
    const k = this.keyFor(key);
    const token = (await this.script(ACQUIRE, ACQUIRE_SHA, [k, `${k}:fence`], [value, ttlMs])) as number | null;
    return token === null ? null : { key, value, fencingToken: token };
  }

  /** True when this holder's lock was deleted; false when it had expired or belongs to another. */
  async release(key: string, value: string): Promise<boolean> {
    return (await this.script(RELEASE, RELEASE_SHA, [this.keyFor(key)], [value])) === 1;
  }

  /** EVALSHA (the script body is not sent each time), loading it with EVAL when the server lacks it. */
  private async script(body: string, sha: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(body, keys.length, ...keys, ...args);
    }
  }

  /**
   * Runs fn while holding the lock, retrying acquisition until `waitMs` has passed.
   * Throws CONFLICT when the lock could not be had in time.
   */
  async withLock<T>(
    key: string,
    fn: (lock: LockHandle) => Promise<T>,
    ttlMs: number,
    { waitMs = ttlMs, retryDelayMs = 25 }: { waitMs?: number; retryDelayMs?: number } = {},
  ): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const lock = await this.acquire(key, ttlMs);
      if (lock) {
        try {
          return await fn(lock);
        } finally {
          await this.release(key, lock.value);
        }
      }
      if (Date.now() >= deadline) {
        throw new AppError('CONFLICT', `resource is busy: ${key}`);
      }
      await new Promise((r) => setTimeout(r, retryDelayMs + Math.floor(Math.random() * retryDelayMs)));
    }
  }
}

// Seed helpers (distributed-lock.js): fixed TTLs per resource.
export const TRADE_LOCK_MS = 10_000;
export const WALLET_LOCK_MS = 5_000;
export const BINARY_TRADE_LOCK_MS = 10_000;

export const lockTrade = (lock: DistributedLock, tradeId: string) => lock.acquire(`trade:${tradeId}`, TRADE_LOCK_MS);
export const unlockTrade = (lock: DistributedLock, tradeId: string, value: string) =>
  lock.release(`trade:${tradeId}`, value);
export const lockWallet = (lock: DistributedLock, userId: string) => lock.acquire(`wallet:${userId}`, WALLET_LOCK_MS);
export const unlockWallet = (lock: DistributedLock, userId: string, value: string) =>
  lock.release(`wallet:${userId}`, value);
export const lockBinaryTrade = (lock: DistributedLock, binaryTradeId: string) =>
  lock.acquire(`binary:${binaryTradeId}`, BINARY_TRADE_LOCK_MS);
export const unlockBinaryTrade = (lock: DistributedLock, binaryTradeId: string, value: string) =>
  lock.release(`binary:${binaryTradeId}`, value);
