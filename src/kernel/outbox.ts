import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * One consequence of a database change that must reach the outside world (a BullMQ job, a live
 * event, an AML run, a workflow signal). Features build these with their own typed helpers;
 * the kernel only stores and relays them.
 */
export interface OutboxMessage<P = unknown> {
  topic: string;
  payload: P;
  /**
   * Optional business key: a writer that may run twice for one event (an activity retry) adds
   * the row once. Consumers also see it, so it doubles as a stable job id.
   */
  key?: string;
}

/** A stored message as the relay hands it to a consumer. */
export interface OutboxRecord<P = unknown> {
  id: string;
  topic: string;
  key: string | null;
  payload: P;
  attempts: number;
  createdAt: Date;
}

/**
 * Adds messages to the outbox in the caller's transaction: they exist if and only if the change
 * that caused them commits. Throws outside a transaction, where that promise could not hold.
 */
export async function recordOutbox(em: EntityManager, ...messages: OutboxMessage[]): Promise<void> {
  if (!em.isInTransaction()) throw new Error('recordOutbox must run inside the transaction of its change');
  for (const m of messages) {
    await em.execute(`insert into outbox (topic, key, payload) values (?, ?, ?) on conflict (key) do nothing`, [
      m.topic,
      m.key ?? null,
      JSON.stringify(m.payload),
    ]);
  }
}

/** Delivers one record; throwing leaves it undelivered for a later attempt. Must be idempotent by record id/key. */
export type OutboxConsumer = (record: OutboxRecord) => Promise<void>;

/** A stable id for whatever a consumer creates from a record (BullMQ job id, event id). */
export const outboxDeliveryId = (record: Pick<OutboxRecord, 'id' | 'key'>): string =>
  record.key ?? `outbox-${record.id}`;
