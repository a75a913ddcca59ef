import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../../kernel/redis/client';
import type { Principal, TokenService } from '../auth/tokens';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';

/** The console's session cookie: HttpOnly, SameSite=Strict, path "/" (it also opens /admin/queues). */
export const CONSOLE_COOKIE = 'console_session';

export interface ConsoleSession {
  /** A staff access token kept server-side: every request verifies it (expiry, staff still active). */
  token: string;
  userId: string;
  role: Principal['role'];
  email: string;
  /** Synchronizer token: every state-changing request carries it. */
  csrf: string;
  createdAt: number;
  /** A one-shot message for the next page (the outcome of a form post). */
  flash?: { kind: 'ok' | 'error'; text: string };
}

export interface SessionSettings {
  idleSeconds: number;
  maxSeconds: number;
}

/**
 * Staff sessions in Redis, by an opaque random id (the cookie holds nothing else). Idle expiry is
 * the key's TTL, renewed on use; the stored token's expiry is the absolute cap.
 */
export class ConsoleSessions {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly tokens: TokenService,
    readonly settings: SessionSettings,
  ) {}

  key(id: string) {
    return `${this.prefix}:console:session:${id}`;
  }

  async create(principal: Principal, email: string): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = {
      token: await this.tokens.issue(principal, this.settings.maxSeconds),
      userId: principal.userId,
      role: principal.role,
      email,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: Date.now(),
    };
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', this.settings.idleSeconds);
    return { id, session };
  }

  /**
   * The session and its principal, or null when there is none, it expired, or its staff account
   * is no longer an active ADMIN/MASTER (the same check bearer tokens get).
   */
  async resolve(id: string | undefined): Promise<{ session: ConsoleSession; principal: Principal } | null> {
    if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    const session = JSON.parse(raw) as ConsoleSession;
    let principal: Principal;
    try {
      principal = await this.tokens.verify(session.token);
    } catch {
      await this.destroy(id);
      return null;
    }
    if (!ADMIN_ROLES.includes(principal.role)) return null;
    await this.redis.expire(this.key(id), this.settings.idleSeconds);
    return { session, principal };
  }

  async save(id: string, session: ConsoleSession): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', this.settings.idleSeconds);
  }

  /** A short-lived token for the live-updates connection (it is disconnected when the token expires). */
  socketToken(principal: Principal): Promise<string> {
    return this.tokens.issue(principal, Math.min(900, this.settings.maxSeconds));
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}

/**
 * Whether the console's cookies are Secure (sent over HTTPS only): everywhere except local
 * development and the tests, which run over plain HTTP. An environment that is neither (today
 * production) gets them Secure without having to be named.
 */
export const secureCookiesFor = (nodeEnv: string): boolean => nodeEnv !== 'development' && nodeEnv !== 'test';

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function csrfMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(submitted));
}
