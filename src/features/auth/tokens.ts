import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../../kernel/errors';
import { ADMIN_ROLES, ROLES, type Role, type UserStatus } from '../../kernel/db/entities/user';

export interface Principal {
  userId: string;
  role: Role;
}

const ALG = 'HS256';
const ISSUER = 'compliance-backend';
const AUDIENCE = 'compliance-api';

/** The account as the database has it now; null when it no longer exists. */
export type AccountLookup = (userId: string) => Promise<{ status: UserStatus; role: Role } | null>;

export interface TokenServiceOptions {
  /** Staff tokens are checked against the account's current status and role. */
  accountOf?: AccountLookup;
  /** How long a looked-up account is reused: a freeze takes effect within this time. */
  accountCacheMs?: number;
}

/** Issues and verifies HS256 access tokens. Only HS256 is accepted: `alg: none` and others fail. */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly accounts = new Map<string, { at: number; account: Awaited<ReturnType<AccountLookup>> }>();
  private readonly verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly options: TokenServiceOptions = {},
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ role: principal.role })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  async verify(token: string): Promise<Principal> {
    const principal = this.verifiedBefore(token) ?? (await this.verifySignature(token));
    if (ADMIN_ROLES.includes(principal.role)) await this.assertStaffActive(principal);
    return principal;
  }

  /**
   * A token whose signature and claims were checked before, while it has not expired. Checking
   * the same HS256 signature again gives the same answer, and it was the largest single cost of
   * an authenticated read (bench/workloads/wallet-layers.ts); the expiry is still checked on every
   * use, and staff tokens still meet the account check in verify(). Bounded like the account cache.
   */
  private verifiedBefore(token: string): Principal | undefined {
    const hit = this.verified.get(token);
    if (!hit) return undefined;
    if (Date.now() < hit.expiresAtMs) return hit.principal;
    this.verified.delete(token);
    return undefined;
  }

  private async verifySignature(token: string): Promise<Principal> {
    let principal: Principal;
    let expiresAtMs: number;
    try {
      // A token without an expiry would be valid forever.
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || !ROLES.includes(role as Role)) {
        throw new AppError('UNAUTHENTICATED', 'invalid token claims');
      }
      principal = { userId: payload.sub, role: role as Role };
      expiresAtMs = payload.exp! * 1000;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof errors.JWTExpired ? 'token expired' : 'invalid token';
      throw new AppError('UNAUTHENTICATED', message);
    }
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, { principal, expiresAtMs });
    return principal;
  }

  /** A frozen, deleted or demoted staff account loses its powers before its token expires. */
  private async assertStaffActive(principal: Principal): Promise<void> {
    const lookup = this.options.accountOf;
    if (!lookup) return;
    const now = Date.now();
    let cached = this.accounts.get(principal.userId);
    if (!cached || now - cached.at > (this.options.accountCacheMs ?? 2000)) {
      cached = { at: now, account: await lookup(principal.userId) };
      if (this.accounts.size > 10_000) this.accounts.clear();
      this.accounts.set(principal.userId, cached);
    }
    const account = cached.account;
    if (!account || account.status !== 'ACTIVE' || account.role !== principal.role) {
      throw new AppError('FORBIDDEN', 'staff account is not active');
    }
  }
}
