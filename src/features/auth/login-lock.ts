import type { Context } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RateLimiterRes, type RateLimiterRedis } from 'rate-limiter-flexible';
import { audit } from '../../kernel/audit';
import { AppError } from '../../kernel/errors';
import { tooManyRequests } from '../../kernel/http/middleware/throttle';
import { emOf } from '../../kernel/http/middleware/request-context';
import { authenticateUser } from './users';

/**
 * Repeated wrong passwords on one account lock it for a while (failures counted in Redis, the
 * lock audited), so guessing is slow however many addresses the attacker uses; a correct login
 * clears the count.
 */
export class LoginLock {
  constructor(
    private readonly failures: RateLimiterRedis,
    private readonly lockSeconds: number,
    /** Told of each refused sign-in: wrong credentials, or an account locked by earlier failures. */
    readonly onFailure: (reason: 'bad_credentials' | 'locked') => void = () => undefined,
  ) {}

  /** 429 with Retry-After while the account is locked. */
  async assertOpen(ctx: Context, account: string): Promise<void> {
    const res = await this.failures.get(account).catch(() => {
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'rate limiter unavailable');
    });
    if (res && res.consumedPoints > this.failures.points) tooManyRequests(ctx, res, 'failed sign-ins for this account');
  }

  /** Counts a failure; the one that crosses the limit starts the lock and is audited. */
  async failed(em: EntityManager, account: string, ip: string): Promise<void> {
    try {
      await this.failures.consume(account);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      if (err.consumedPoints !== this.failures.points + 1) return;
      audit(em, {
        actor: { type: 'SYSTEM', id: 'login-lock' },
        action: 'auth.login.locked',
        targetType: 'account',
        targetId: account,
        after: { failures: err.consumedPoints, lockSeconds: this.lockSeconds, ip },
      });
      await em.flush();
    }
  }

  async succeeded(account: string): Promise<void> {
    await this.failures.delete(account);
  }
}

/** authenticateUser behind the account's failure lock: a locked account is 429 before scrypt runs. */
export async function checkedLogin(ctx: Context, lock: LoginLock, email: string, password: string) {
  const account = email.trim().toLowerCase();
  try {
    await lock.assertOpen(ctx, account);
  } catch (err) {
    if (err instanceof AppError && err.code === 'RATE_LIMITED') lock.onFailure('locked');
    throw err;
  }
  try {
    const user = await authenticateUser(emOf(ctx), email, password);
    await lock.succeeded(account);
    return user;
  } catch (err) {
    if (err instanceof AppError && err.code === 'UNAUTHENTICATED') {
      lock.onFailure('bad_credentials');
      await lock.failed(emOf(ctx), account, ctx.ip);
    }
    throw err;
  }
}
