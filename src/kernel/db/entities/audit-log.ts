import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';

export const ACTOR_TYPES = ['USER', 'ADMIN', 'SYSTEM', 'PROVIDER'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Append-only (a trigger refuses UPDATE and DELETE): who did what to which thing, when and why. */
export class AuditLog {
  [OptionalProps]?: 'createdAt';
  id!: number;
  actorType!: ActorType;
  /** User/admin id, provider name, or the system component. */
  actorId!: string;
  action!: string;
  targetType!: string;
  targetId!: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  createdAt: Date = new Date();
}

export const AuditLogSchema = new EntitySchema<AuditLog>({
  class: AuditLog,
  tableName: 'audit_logs',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    actorType: { enum: true, items: () => ACTOR_TYPES as unknown as string[], type: 'string' },
    actorId: { type: 'string' },
    action: { type: 'string' },
    targetType: { type: 'string' },
    targetId: { type: 'string' },
    before: { type: 'json', nullable: true },
    after: { type: 'json', nullable: true },
    reason: { type: 'text', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});
