import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { hashPassword, verifyPassword } from './password';
import { User, type Role, type UserStatus } from '../../kernel/db/entities/user';
import { Wallet } from '../../kernel/db/entities/wallet';
import { AppError } from '../../kernel/errors';
import type { ReadDb } from '../../kernel/db/read-pool';
import { audit, type Actor } from '../../kernel/audit';
import { recordOutbox } from '../../kernel/outbox';
import { emailMessage } from '../notifications/email-queue';

export interface NewUser {
  email: string;
  password: string;
  fullName: string;
  country: string;
  dateOfBirth?: string | null;
  role?: Role;
}

/**
 * Creates the user and their wallet in one transaction. Emails are compared case-insensitively.
 * Without `actor` it is the user registering themself, and the welcome email is recorded with it.
 */
export async function createUser(em: EntityManager, input: NewUser, actor?: Actor): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      const user = tx.create(User, {
        email: input.email.trim().toLowerCase(),
        passwordHash,
        fullName: input.fullName.trim(),
        country: input.country.toUpperCase(),
        dateOfBirth: input.dateOfBirth ?? null,
        role: input.role ?? 'USER',
        status: 'ACTIVE',
        kycStatus: 'NOT_STARTED',
      });
      await tx.flush();
      tx.persist(tx.create(Wallet, { userId: user.id, currency: 'USD', balance: 0, locked: false, version: 1 }));
      audit(tx, {
        actor: actor ?? { type: 'USER', id: user.id },
        action: 'user.created',
        targetType: 'user',
        targetId: user.id,
        after: { email: user.email, role: user.role, country: user.country },
      });
      // A self-registration is welcomed; an account created by staff or a script is not.
      if (!actor) {
        await recordOutbox(
          tx,
          emailMessage({ template: 'welcome', to: user.email, data: { name: user.fullName } }, `welcome-${user.id}`),
        );
      }
      return user;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new AppError('EMAIL_TAKEN', 'an account with this email already exists');
    }
    throw err;
  }
}

// Verifying against a dummy hash when the user is unknown keeps response time independent of
// whether the email exists.
let dummyHash: Promise<string> | undefined;

export async function authenticateUser(em: EntityManager, email: string, password: string): Promise<User> {
  const user = await em.findOne(User, { email: email.trim().toLowerCase() });
  const ok = await verifyPassword(password, user?.passwordHash ?? (await (dummyHash ??= hashPassword('x'))));
  if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'invalid email or password');
  return user;
}

/**
 * The account's current status and role, for checking tokens (TokenService, cached per user for
 * a moment). Through the plain read pool (kernel/db/read-pool.ts): no entity, no ORM layer.
 */
export async function accountStatus(db: ReadDb, userId: string) {
  const [row] = await db.rows<{ status: UserStatus; role: Role }>('select status, role from users where id = $1', [
    userId,
  ]);
  return row ?? null;
}

export async function getUser(em: EntityManager, userId: string): Promise<User> {
  const user = await em.findOne(User, { id: userId });
  if (!user) throw new AppError('NOT_FOUND', 'user not found');
  return user;
}

export function publicUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    status: user.status,
    country: user.country,
    kycStatus: user.kycStatus,
    createdAt: user.createdAt,
  };
}
