import type { Context, Next } from 'koa';
import type { RedisClient } from '../../redis/client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../errors';

export interface LimitSpec {
  name: string;
  points: number;
  durationSeconds: number;
  /** Once over the limit, the key stays refused this long (default: the rest of the window). */
  blockSeconds?: number;
}

/** Counters in Redis, so every API instance sees the same count. */
export const redisLimiter = (redis: RedisClient, prefix: string, spec: LimitSpec) =>
  new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:${spec.name}`,
    points: spec.points,
    duration: spec.durationSeconds,
    blockDuration: spec.blockSeconds ?? 0,
  });

/** 429 with Retry-After (whole seconds, at least 1). */
export function tooManyRequests(ctx: Context, res: RateLimiterRes, what: string): never {
  const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  ctx.set('Retry-After', String(retryAfterSeconds));
  throw new AppError('RATE_LIMITED', `too many ${what}; retry later`, { retryAfterSeconds });
}

export interface LimitRule {
  limiter: RateLimiterRedis;
  /** The counted key (an IP, an account); undefined skips the rule for this request. */
  key: (ctx: Context) => string | undefined;
  what: string;
}

/** Counts the request against every rule; the first one over its limit answers 429. */
export function rateLimit(rules: LimitRule[]) {
  return async (ctx: Context, next: Next) => {
    for (const rule of rules) {
      const key = rule.key(ctx);
      if (key === undefined) continue;
      try {
        await rule.limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) tooManyRequests(ctx, err, rule.what);
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'rate limiter unavailable');
      }
    }
    return next();
  };
}

/** The lower-cased `email` of a JSON body, the account a login or registration is about. */
export const bodyEmail = (ctx: Context): string | undefined => {
  const email = (ctx.request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.length <= 254 ? email.trim().toLowerCase() : undefined;
};
