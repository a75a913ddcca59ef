import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { RedisClient } from './client';

export interface LockHandle {
  key: string;
  value: string;
  /** Strictly increasing per key: a database write can refuse a holder older than the last one. */
  fencingToken: number;
}

// Compare-and-delete: only the holder (same random value) may release.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Redis lock: SET key value NX PX ttl, released with a Lua compare-and-delete. A lock is a first
 * gate only: money movements are also made safe in PostgreSQL (row locks, unique keys).
 */
export class DistributedLock {
  /**
   * `hashTagged` (on a Redis Cluster): the lock key is `<prefix>:{<key>}` and its counter
   * `<prefix>:{<key>}:fence`, one slot per lock, so both live on the shard that answers for the
   * lock. Off (one server) the names stay `<prefix>:<key>[:fence]`: renaming them would restart
   * the fencing counters below the tokens the database already holds.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'lock',
    private readonly options: { hashTagged?: boolean } = {},
  ) {}

  /** The Redis key of a lock (its fencing counter is this plus `:fence`). */
  keyFor(key: string): string {
    return this.options.hashTagged ? `${this.prefix}:{${key}}` : `${this.prefix}:${key}`;
  }

  /** Returns the handle, or null when someone else holds the lock. */
  async acquire(key: string, ttlMs: number, value: string = randomUUID()): Promise<LockHandle | null> {
    const k = this.keyFor(key);
    const ok = await this.redis.set(k, value, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    const fencingToken = await this.redis.incr(`${k}:fence`);
    return { key, value, fencingToken };
  }

  /** True when this holder's lock was deleted; false when it had expired or belongs to another. */
  async release(key: string, value: string): Promise<boolean> {
    const n = (await this.redis.eval(RELEASE, 1, this.keyFor(key), value)) as number;
    return n === 1;
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
