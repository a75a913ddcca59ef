import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../../kernel/errors';
import { ROLES, type Role } from '../../kernel/db/entities/user';

export interface Principal {
  userId: string;
  role: Role;
}

const ALG = 'HS256';
const ISSUER = 'compliance-backend';

/** Issues and verifies HS256 access tokens. Only HS256 is accepted: `alg: none` and others fail. */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ role: principal.role })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALG], issuer: ISSUER });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || !ROLES.includes(role as Role)) {
        throw new AppError('UNAUTHENTICATED', 'invalid token claims');
      }
      return { userId: payload.sub, role: role as Role };
    } catch (err) {
      if (err instanceof AppError) throw err;
      const message = err instanceof errors.JWTExpired ? 'token expired' : 'invalid token';
      throw new AppError('UNAUTHENTICATED', message);
    }
  }
}
