import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditLog, type ActorType } from './db/entities/audit-log';

export interface Actor {
  type: ActorType;
  id: string;
}

export const SYSTEM_ACTOR = (component: string): Actor => ({ type: 'SYSTEM', id: component });

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** Adds an audit row to the unit of work of `em`: it commits with the change it describes. */
export function audit(em: EntityManager, entry: AuditEntry): AuditLog {
  const row = em.create(AuditLog, {
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    reason: entry.reason ?? null,
    createdAt: new Date(),
  });
  em.persist(row);
  return row;
}
