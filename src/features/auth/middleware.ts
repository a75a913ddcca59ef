import type { Context, Next } from 'koa';
import type { Principal, TokenService } from './tokens';
import type { Role } from '../../kernel/db/entities/user';
import { AppError } from '../../kernel/errors';

/** Requires `Authorization: Bearer <jwt>`; sets ctx.state.principal. */
export function authenticate(tokens: TokenService) {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
    ctx.state.principal = await tokens.verify(match[1]!);
    return next();
  };
}

export function requireRole(roles: readonly Role[]) {
  return async (ctx: Context, next: Next) => {
    const principal = ctx.state.principal as Principal | undefined;
    if (!principal) throw new AppError('UNAUTHENTICATED', 'authentication required');
    if (!roles.includes(principal.role)) throw new AppError('FORBIDDEN', 'insufficient role');
    return next();
  };
}

export const principalOf = (ctx: Context): Principal => {
  const p = ctx.state.principal as Principal | undefined;
  if (!p) throw new AppError('UNAUTHENTICATED', 'authentication required');
  return p;
};
