import { EntitySchema, OptionalProps } from '@mikro-orm/core';

export const ROLES = ['USER', 'ADMIN', 'MASTER'] as const;
export type Role = (typeof ROLES)[number];
export const ADMIN_ROLES: readonly Role[] = ['ADMIN', 'MASTER'];

export const USER_STATUSES = ['ACTIVE', 'FROZEN'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const KYC_STATUSES = ['NOT_STARTED', 'PENDING', 'APPROVED', 'REJECTED'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export class User {
  [OptionalProps]?: 'role' | 'status' | 'kycStatus' | 'createdAt' | 'updatedAt' | 'dateOfBirth' | 'verifiedDateOfBirth';
  id!: string;
  email!: string;
  passwordHash!: string;
  fullName!: string;
  role: Role = 'USER';
  status: UserStatus = 'ACTIVE';
  /** ISO-3166 alpha-2, upper case. */
  country!: string;
  /** Self-declared at registration: never trusted to weaken a sanctions match. */
  dateOfBirth?: string | null;
  /** Read from the identity document by the KYC provider that approved the user. */
  verifiedDateOfBirth?: string | null;
  kycStatus: KycStatus = 'NOT_STARTED';
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    email: { type: 'string', unique: true },
    passwordHash: { type: 'string', hidden: true },
    fullName: { type: 'string' },
    role: { enum: true, items: () => ROLES as unknown as string[], type: 'string' },
    status: { enum: true, items: () => USER_STATUSES as unknown as string[], type: 'string' },
    country: { type: 'string', length: 2 },
    dateOfBirth: { type: 'string', nullable: true, columnType: 'date' },
    verifiedDateOfBirth: { type: 'string', nullable: true, columnType: 'date' },
    kycStatus: { enum: true, items: () => KYC_STATUSES as unknown as string[], type: 'string' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
