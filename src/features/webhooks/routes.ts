import '../../kernel/http/koa-types';
import Router from '@koa/router';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { authenticate, principalOf, requireRole } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';
import { AppError } from '../../kernel/errors';
import type { Actor } from '../../kernel/audit';
import { WEBHOOK_EVENT_TYPES } from './events';
import { DELIVERY_STATUSES } from './rules';
import { checkWebhookUrl, type Resolver } from './url-policy';
import { findEndpoint, getDelivery, listDeliveries, listEndpoints } from './repository';
import { redeliver, registerEndpoint, rotateSecret, setEnabled } from './use-cases';
import type { Context } from 'koa';

export interface WebhooksRouterDeps {
  tokens: TokenService;
  allowPrivateUrls: boolean;
  /** Default validity of the previous secret after a rotation. */
  rotationOverlapSeconds: number;
  /** Test seam for the URL check's DNS resolution. */
  resolve?: Resolver;
}

const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;
export const secretSchema = z
  .string()
  .min(32, 'a secret has at least 32 characters')
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'a secret is printable ASCII without spaces');
export const idParam = z.object({ id: z.uuid() });

export const registerBody = z.object({
  url: z.string().trim().min(1).max(2048),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1),
  secret: secretSchema.optional(),
  description: z.string().trim().max(500).optional(),
});
export const rotateBody = z
  .object({
    secret: secretSchema.optional(),
    previousSecretValidSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).optional(),
  })
  .default({});
export const deliveriesQuery = z.object({
  endpointId: z.uuid().optional(),
  eventId: z.uuid().optional(),
  eventType: z.enum(WEBHOOK_EVENT_TYPES).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

const actorOf = (ctx: Context): Actor => ({ type: 'ADMIN', id: principalOf(ctx).userId });

/**
 * Outbound webhooks for integrators, MASTER only: endpoints (register, list, rotate the secret,
 * disable/enable) and deliveries (list, one with its attempts, redeliver).
 */
export function createWebhooksRouter(deps: WebhooksRouterDeps) {
  const router = new Router({ prefix: '/admin/webhooks' });
  router.use(authenticate(deps.tokens), requireRole(['MASTER']));

  router.post('/endpoints', async (ctx) => {
    const body = validate(registerBody, ctx.request.body, 'webhook endpoint');
    const url = await checkWebhookUrl(body.url, { allowPrivate: deps.allowPrivateUrls, resolve: deps.resolve });
    ctx.status = 201;
    ctx.body = await registerEndpoint(emOf(ctx), actorOf(ctx), { ...body, url });
  });

  router.get('/endpoints', async (ctx) => {
    ctx.body = { items: await listEndpoints(emOf(ctx)) };
  });

  router.get('/endpoints/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    const endpoint = await findEndpoint(emOf(ctx), id);
    if (!endpoint) throw new AppError('NOT_FOUND', 'webhook endpoint not found');
    ctx.body = endpoint;
  });

  router.post('/endpoints/:id/rotate-secret', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    const body = validate(rotateBody, ctx.request.body ?? {}, 'rotation');
    ctx.body = await rotateSecret(emOf(ctx), actorOf(ctx), id, {
      secret: body.secret,
      overlapSeconds: body.previousSecretValidSeconds ?? deps.rotationOverlapSeconds,
    });
  });

  router.post('/endpoints/:id/disable', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    ctx.body = await setEnabled(emOf(ctx), actorOf(ctx), id, false);
  });

  router.post('/endpoints/:id/enable', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    ctx.body = await setEnabled(emOf(ctx), actorOf(ctx), id, true);
  });

  router.get('/deliveries', async (ctx) => {
    const q = validate(deliveriesQuery, ctx.query, 'query');
    ctx.body = await listDeliveries(emOf(ctx), q);
  });

  router.get('/deliveries/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    const delivery = await getDelivery(emOf(ctx), id);
    if (!delivery) throw new AppError('NOT_FOUND', 'webhook delivery not found');
    ctx.body = delivery;
  });

  router.post('/deliveries/:id/redeliver', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'path');
    ctx.status = 202;
    ctx.body = await redeliver(emOf(ctx), actorOf(ctx), id);
  });

  return router;
}
