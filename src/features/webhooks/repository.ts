import type { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import type { DeliveryStatus } from './rules';
import type { WebhookEvent, WebhookEventType } from './events';
import type { deliveryWithAttempts, endpoint } from './responses';

/** The SQL of outbound webhooks: endpoints, the events sent, deliveries and their attempts. */

interface EndpointRow {
  id: string;
  url: string;
  event_types: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  enabled: boolean;
  description: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An endpoint as MASTER sees it after registration: never the secrets themselves. */
export type EndpointView = z.output<typeof endpoint>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const endpointView = (r: EndpointRow): EndpointView => ({
  id: r.id,
  url: r.url,
  eventTypes: r.event_types as WebhookEventType[],
  enabled: r.enabled,
  description: r.description,
  secretHint: `…${r.secret.slice(-4)}`,
  previousSecretExpiresAt:
    r.previous_secret_expires_at && new Date(r.previous_secret_expires_at) > new Date()
      ? iso(r.previous_secret_expires_at)
      : null,
  createdBy: r.created_by,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export async function insertEndpoint(
  em: EntityManager,
  input: { url: string; eventTypes: WebhookEventType[]; secret: string; description: string | null; createdBy: string },
): Promise<EndpointView> {
  const [row] = await em.execute<EndpointRow[]>(
    `insert into webhook_endpoints (url, event_types, secret, description, created_by)
     values (?, ?::text[], ?, ?, ?) returning *`,
    [input.url, toPgArray(input.eventTypes), input.secret, input.description, input.createdBy],
  );
  return endpointView(row!);
}

export async function listEndpoints(em: EntityManager): Promise<EndpointView[]> {
  const rows = await em.execute<EndpointRow[]>(`select * from webhook_endpoints order by created_at, id`);
  return rows.map(endpointView);
}

export async function findEndpoint(em: EntityManager, id: string): Promise<EndpointView | null> {
  const [row] = await em.execute<EndpointRow[]>(`select * from webhook_endpoints where id = ?`, [id]);
  return row ? endpointView(row) : null;
}

/**
 * The new secret becomes current; the current one stays valid as `previous` for `overlapSeconds`
 * (0: at once invalid). Only two secrets exist at a time: an older previous one is dropped.
 */
export async function rotateEndpointSecret(
  em: EntityManager,
  id: string,
  secret: string,
  overlapSeconds: number,
): Promise<EndpointView> {
  const [row] = await em.execute<EndpointRow[]>(
    `update webhook_endpoints set
       previous_secret = case when ? > 0 then secret end,
       previous_secret_expires_at = case when ? > 0 then now() + make_interval(secs => ?) end,
       secret = ?, updated_at = now()
     where id = ? returning *`,
    [overlapSeconds, overlapSeconds, overlapSeconds, secret, id],
  );
  if (!row) throw new AppError('NOT_FOUND', 'webhook endpoint not found');
  return endpointView(row);
}

export async function setEndpointEnabled(em: EntityManager, id: string, enabled: boolean): Promise<EndpointView> {
  const [row] = await em.execute<EndpointRow[]>(
    `update webhook_endpoints set enabled = ?, updated_at = now() where id = ? returning *`,
    [enabled, id],
  );
  if (!row) throw new AppError('NOT_FOUND', 'webhook endpoint not found');
  return endpointView(row);
}

/**
 * Stores an event (its body is fixed here, once: every attempt sends and signs these bytes) and
 * one delivery per enabled endpoint subscribed to its type, both idempotent: the relay may hand
 * the same record over twice. Returns the deliveries not yet attempted, which need a job.
 */
export async function storeEventDeliveries(
  em: EntityManager,
  event: WebhookEvent,
): Promise<{ deliveryId: string; endpointId: string }[]> {
  return em.transactional(async (tx) => {
    await tx.execute(
      `insert into webhook_outbound_events (id, type, body, created_at) values (?, ?, ?, ?) on conflict (id) do nothing`,
      [event.id, event.type, JSON.stringify(event), event.createdAt],
    );
    await tx.execute(
      `insert into webhook_deliveries (event_id, endpoint_id)
       select ?, id from webhook_endpoints where enabled and ? = any(event_types)
       on conflict (event_id, endpoint_id) do nothing`,
      [event.id, event.type],
    );
    return tx.execute<{ deliveryId: string; endpointId: string }[]>(
      `select id "deliveryId", endpoint_id "endpointId" from webhook_deliveries
       where event_id = ? and status = 'PENDING' and attempts = 0`,
      [event.id],
    );
  });
}

/** What one attempt needs: the endpoint as it is now and the stored body. */
export interface DeliveryTarget {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  eventId: string;
  eventType: string;
  body: string;
  endpointId: string;
  url: string;
  enabled: boolean;
  /** Current secret first, then the previous one while it is still valid. */
  secrets: string[];
}

export async function loadDeliveryTarget(em: EntityManager, deliveryId: string): Promise<DeliveryTarget | null> {
  const [row] = await em.execute<
    {
      id: string;
      status: DeliveryStatus;
      attempts: number;
      event_id: string;
      type: string;
      body: string;
      endpoint_id: string;
      url: string;
      enabled: boolean;
      secret: string;
      previous_secret: string | null;
      previous_valid: boolean;
    }[]
  >(
    `select d.id, d.status, d.attempts, d.event_id, ev.type, ev.body, d.endpoint_id, e.url, e.enabled, e.secret,
            e.previous_secret, coalesce(e.previous_secret_expires_at > now(), false) previous_valid
       from webhook_deliveries d
       join webhook_outbound_events ev on ev.id = d.event_id
       join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = ?`,
    [deliveryId],
  );
  if (!row) return null;
  return {
    deliveryId: row.id,
    status: row.status,
    attempts: row.attempts,
    eventId: row.event_id,
    eventType: row.type,
    body: row.body,
    endpointId: row.endpoint_id,
    url: row.url,
    enabled: row.enabled,
    secrets: row.previous_secret && row.previous_valid ? [row.secret, row.previous_secret] : [row.secret],
  };
}

export interface AttemptRecord {
  jobId: string | null;
  startedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  succeeded: boolean;
  error: string | null;
  responseExcerpt: string | null;
}

/** Logs one attempt and moves the delivery to its new status, in one transaction; returns the attempt number. */
export async function recordAttempt(
  em: EntityManager,
  deliveryId: string,
  attempt: AttemptRecord,
  next: { status: DeliveryStatus; nextAttemptAt: Date | null },
): Promise<number> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ attempts: number }[]>(
      `update webhook_deliveries set attempts = attempts + 1, status = ?, last_status_code = ?, last_error = ?,
         next_attempt_at = ?, delivered_at = case when ? then now() else delivered_at end, updated_at = now()
       where id = ? returning attempts`,
      [
        next.status,
        attempt.statusCode,
        attempt.error?.slice(0, 1000) ?? null,
        next.nextAttemptAt,
        next.status === 'DELIVERED',
        deliveryId,
      ],
    );
    if (!row) throw new Error(`webhook delivery ${deliveryId} not found`);
    await tx.execute(
      `insert into webhook_delivery_attempts
         (delivery_id, attempt, job_id, started_at, latency_ms, status_code, succeeded, error, response_excerpt)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        deliveryId,
        row.attempts,
        attempt.jobId,
        attempt.startedAt,
        attempt.latencyMs,
        attempt.statusCode,
        attempt.succeeded,
        attempt.error?.slice(0, 1000) ?? null,
        attempt.responseExcerpt,
      ],
    );
    return row.attempts;
  });
}

export type DeliveryView = Omit<z.output<typeof deliveryWithAttempts>, 'attemptLog'>;

export type AttemptView = z.output<typeof deliveryWithAttempts>['attemptLog'][number];

const DELIVERY_SELECT = `
  select d.*, ev.type event_type, e.url from webhook_deliveries d
    join webhook_outbound_events ev on ev.id = d.event_id
    join webhook_endpoints e on e.id = d.endpoint_id`;

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  redeliveries: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const deliveryView = (r: DeliveryRow): DeliveryView => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  endpointId: r.endpoint_id,
  url: r.url,
  status: r.status,
  attempts: r.attempts,
  redeliveries: r.redeliveries,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  nextAttemptAt: iso(r.next_attempt_at),
  deliveredAt: iso(r.delivered_at),
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export async function listDeliveries(
  em: EntityManager,
  filter: {
    endpointId?: string;
    eventId?: string;
    eventType?: string;
    status?: DeliveryStatus;
    limit: number;
    offset: number;
  },
): Promise<{ items: DeliveryView[]; total: number }> {
  const all: [string, string | undefined][] = [
    ['d.endpoint_id = ?', filter.endpointId],
    ['d.event_id = ?', filter.eventId],
    ['ev.type = ?', filter.eventType],
    ['d.status = ?', filter.status],
  ];
  const conditions = all.filter(([, value]) => value !== undefined);
  const where = conditions.map(([sql]) => sql);
  const params = conditions.map(([, value]) => value);
  const clause = where.length ? ` where ${where.join(' and ')}` : '';
  const rows = await em.execute<DeliveryRow[]>(
    `${DELIVERY_SELECT}${clause} order by d.created_at desc, d.id limit ? offset ?`,
    [...params, filter.limit, filter.offset],
  );
  const [count] = await em.execute<{ n: string }[]>(
    `select count(*) n from webhook_deliveries d join webhook_outbound_events ev on ev.id = d.event_id${clause}`,
    params,
  );
  return { items: rows.map(deliveryView), total: Number(count!.n) };
}

/** One delivery with every attempt, oldest first. */
export async function getDelivery(
  em: EntityManager,
  id: string,
): Promise<(DeliveryView & { attemptLog: AttemptView[] }) | null> {
  const [row] = await em.execute<DeliveryRow[]>(`${DELIVERY_SELECT} where d.id = ?`, [id]);
  if (!row) return null;
  const attempts = await em.execute<
    {
      attempt: number;
      started_at: Date;
      latency_ms: number;
      status_code: number | null;
      succeeded: boolean;
      error: string | null;
      response_excerpt: string | null;
    }[]
  >(
    `select attempt, started_at, latency_ms, status_code, succeeded, error, response_excerpt
       from webhook_delivery_attempts where delivery_id = ? order by id`,
    [id],
  );
  return {
    ...deliveryView(row),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: iso(a.started_at)!,
      latencyMs: a.latency_ms,
      statusCode: a.status_code,
      succeeded: a.succeeded,
      error: a.error,
      responseExcerpt: a.response_excerpt,
    })),
  };
}

/**
 * Queues a delivery again (same event id, same body, signed anew). Refused while it is still
 * PENDING or RETRYING: the job that owns it has not finished. Returns the redelivery number.
 */
export async function markRedelivery(
  em: EntityManager,
  id: string,
): Promise<{ redelivery: number; view: DeliveryView }> {
  const [row] = await em.execute<{ redeliveries: number }[]>(
    `update webhook_deliveries set status = 'PENDING', redeliveries = redeliveries + 1, next_attempt_at = null,
       updated_at = now()
     where id = ? and status in ('DELIVERED', 'FAILED') returning redeliveries`,
    [id],
  );
  if (!row) {
    const [exists] = await em.execute<{ status: string }[]>(`select status from webhook_deliveries where id = ?`, [id]);
    if (!exists) throw new AppError('NOT_FOUND', 'webhook delivery not found');
    throw new AppError('INVALID_STATE', `the delivery is ${exists.status}: its attempts are still running`);
  }
  const [view] = await em.execute<DeliveryRow[]>(`${DELIVERY_SELECT} where d.id = ?`, [id]);
  return { redelivery: row.redeliveries, view: deliveryView(view!) };
}

const toPgArray = (items: string[]) => `{${items.map((s) => `"${s.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
