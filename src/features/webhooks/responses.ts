import { z } from 'zod';
import { timestamp } from '../openapi/responses';
import { WEBHOOK_EVENT_TYPES } from './events';
import { DELIVERY_STATUSES } from './rules';

/** An endpoint as the API shows it (repository.ts EndpointView): never its secret. */
export const endpoint = z.object({
  id: z.uuid(),
  url: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  enabled: z.boolean(),
  description: z.string().nullable(),
  secretHint: z.string().describe('The last 4 characters of the current secret, to tell secrets apart'),
  previousSecretExpiresAt: timestamp
    .nullable()
    .describe('While set and in the future, deliveries carry a second v1= signed with the previous secret'),
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
/** Registration and rotation show the new secret, once. */
export const endpointWithSecret = endpoint.extend({ secret: z.string() });
export const endpoints = z.object({ items: z.array(endpoint) });

export const delivery = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  endpointId: z.uuid(),
  url: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  redeliveries: z.int(),
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const deliveryPage = z.object({ items: z.array(delivery), total: z.int() });
export const deliveryWithAttempts = delivery.extend({
  attemptLog: z.array(
    z.object({
      attempt: z.int(),
      startedAt: timestamp,
      latencyMs: z.number(),
      statusCode: z.int().nullable(),
      succeeded: z.boolean(),
      error: z.string().nullable(),
      responseExcerpt: z.string().nullable(),
    }),
  ),
});
