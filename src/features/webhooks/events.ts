import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordOutbox, type OutboxMessage } from '../../kernel/outbox';

/** Every event an integrator can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'kyc.decided',
  'aml.case.opened',
  'aml.case.closed',
  'account.frozen',
  'account.unfrozen',
  'binary.settled',
  'withdrawal.completed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The body of every delivery: `id` is unique per event and the same on every attempt and redelivery. */
export interface WebhookEvent<D = Record<string, unknown>> {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: D;
}

/** Outbox topic of outbound webhook events; its consumer fans each out to the subscribed endpoints. */
export const WEBHOOK_TOPIC = 'webhook-event';

/**
 * An event as an outbox message, for a list of consequences. `key` (a business key, e.g. the AML
 * case id) makes a writer that may run twice record the event once, with one event id.
 */
export const webhookEvent = (
  type: WebhookEventType,
  data: Record<string, unknown>,
  key?: string,
): OutboxMessage<WebhookEvent> => ({
  topic: WEBHOOK_TOPIC,
  payload: { id: randomUUID(), type, createdAt: new Date().toISOString(), data },
  key: key === undefined ? undefined : `webhook-${type}-${key}`,
});

/**
 * Records an outbound webhook event in the caller's transaction, with the state change it
 * reports: it is sent if and only if that change commits.
 */
export const recordWebhookEvent = (
  em: EntityManager,
  type: WebhookEventType,
  data: Record<string, unknown>,
  key?: string,
): Promise<void> => recordOutbox(em, webhookEvent(type, data, key));
