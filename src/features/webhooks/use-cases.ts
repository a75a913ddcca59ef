import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, type Actor } from '../../kernel/audit';
import { recordOutbox, type OutboxConsumer, type OutboxMessage } from '../../kernel/outbox';
import type { WebhookEventType } from './events';
import { redeliveryJobId, type BullWebhookQueue } from './queue';
import {
  findEndpoint,
  insertEndpoint,
  markRedelivery,
  rotateEndpointSecret,
  setEndpointEnabled,
  type DeliveryView,
  type EndpointView,
} from './repository';
import { AppError } from '../../kernel/errors';

/** Endpoint management and redelivery, each change audited in its own transaction (secrets never are). */

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('hex')}`;

const endpointTarget = (id: string) => ({ targetType: 'webhook_endpoint', targetId: id });

export async function registerEndpoint(
  em: EntityManager,
  actor: Actor,
  input: { url: string; eventTypes: WebhookEventType[]; secret?: string; description?: string | null },
): Promise<EndpointView & { secret: string }> {
  const secret = input.secret ?? newWebhookSecret();
  const view = await em.transactional(async (tx) => {
    const created = await insertEndpoint(tx, {
      url: input.url,
      eventTypes: [...new Set(input.eventTypes)],
      secret,
      description: input.description ?? null,
      createdBy: actor.id,
    });
    audit(tx, {
      actor,
      action: 'webhook.endpoint_registered',
      ...endpointTarget(created.id),
      after: { url: created.url, eventTypes: created.eventTypes, secretHint: created.secretHint },
    });
    return created;
  });
  return { ...view, secret };
}

export async function rotateSecret(
  em: EntityManager,
  actor: Actor,
  id: string,
  input: { secret?: string; overlapSeconds: number },
): Promise<EndpointView & { secret: string }> {
  const secret = input.secret ?? newWebhookSecret();
  const view = await em.transactional(async (tx) => {
    const before = await findEndpoint(tx, id);
    if (!before) throw new AppError('NOT_FOUND', 'webhook endpoint not found');
    const rotated = await rotateEndpointSecret(tx, id, secret, input.overlapSeconds);
    audit(tx, {
      actor,
      action: 'webhook.secret_rotated',
      ...endpointTarget(id),
      before: { secretHint: before.secretHint },
      after: { secretHint: rotated.secretHint, previousSecretExpiresAt: rotated.previousSecretExpiresAt },
    });
    return rotated;
  });
  return { ...view, secret };
}

export async function setEnabled(em: EntityManager, actor: Actor, id: string, enabled: boolean): Promise<EndpointView> {
  return em.transactional(async (tx) => {
    const before = await findEndpoint(tx, id);
    if (!before) throw new AppError('NOT_FOUND', 'webhook endpoint not found');
    const after = await setEndpointEnabled(tx, id, enabled);
    if (before.enabled !== enabled) {
      audit(tx, {
        actor,
        action: enabled ? 'webhook.endpoint_enabled' : 'webhook.endpoint_disabled',
        ...endpointTarget(id),
        before: { enabled: before.enabled },
        after: { enabled },
      });
    }
    return after;
  });
}

/** Outbox topic: queue a finished delivery again. */
export const WEBHOOK_REDELIVERY_TOPIC = 'webhook-redelivery';

interface RedeliveryPayload {
  deliveryId: string;
  redelivery: number;
}

/**
 * Marks a finished (DELIVERED or FAILED) delivery PENDING again and records, in the same
 * transaction, the outbox message that queues its job: same event id and body, signed anew.
 */
export async function redeliver(em: EntityManager, actor: Actor, deliveryId: string): Promise<DeliveryView> {
  return em.transactional(async (tx) => {
    const { redelivery, view } = await markRedelivery(tx, deliveryId);
    audit(tx, {
      actor,
      action: 'webhook.redelivery_requested',
      targetType: 'webhook_delivery',
      targetId: deliveryId,
      after: { redelivery, eventId: view.eventId, endpointId: view.endpointId },
    });
    const message: OutboxMessage<RedeliveryPayload> = {
      topic: WEBHOOK_REDELIVERY_TOPIC,
      payload: { deliveryId, redelivery },
      key: `webhook-redelivery-${deliveryId}-${redelivery}`,
    };
    await recordOutbox(tx, message);
    return view;
  });
}

export const redeliveryConsumer =
  (queue: Pick<BullWebhookQueue, 'enqueue'>): OutboxConsumer =>
  (record) => {
    const { deliveryId, redelivery } = record.payload as RedeliveryPayload;
    return queue.enqueue({ deliveryId, redelivery }, redeliveryJobId(deliveryId, redelivery));
  };
