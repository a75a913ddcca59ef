import type { RedisClient } from '../../kernel/redis/client';

// INCR, and start the window on the first hit, atomically (a crash between the two would leave a
// counter without expiry that blocks the user for good).
const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Fixed-window counters in Redis, so every instance sees the same count: a client cannot get
 * N x the limit by reconnecting to N instances, and a restarted instance forgets nothing.
 */
export class RedisRateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit on `key`; true while the window's count is within `limit`. */
  async hit(key: string, limit: number): Promise<boolean> {
    const count = (await this.redis.eval(HIT, 1, `${this.prefix}:${key}`, this.windowMs)) as number;
    return count <= limit;
  }
}
