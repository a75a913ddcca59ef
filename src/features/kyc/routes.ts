import { rateLimit, type LimitRule } from '../../kernel/http/middleware/throttle';
import '../../kernel/http/koa-types';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens';
import { ADMIN_ROLES } from '../../kernel/db/entities/user';
import { KYC_PROVIDERS } from './rules';
import type { KycProviders } from './providers/registry';
import { getKycStatus, pendingKycCases } from './repository';
import type { KycCases } from './cases';
import { handleKycWebhook } from './webhooks';
import { authenticate, principalOf, requireRole } from '../auth/middleware';
import { emOf } from '../../kernel/http/middleware/request-context';
import { validate } from '../../kernel/http/validate';
import type { kycDecided, kycStarted, webhookReceived } from './responses';

export interface KycRouterDeps {
  tokens: TokenService;
  providers: KycProviders;
  cases: KycCases;
  webhookLimits: LimitRule[];
  /** Told of each delivery refused for its signature (webhook_signature_failures_total). */
  onSignatureFailure?: (provider: string) => void;
}

export const userIdParam = z.object({ userId: z.uuid() });
export const page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

/** What POST /kyc/start accepts: one of the providers configured here. */
export function kycStartBody(offered: [string, ...string[]], defaultProvider: string) {
  return z.object({
    provider: z
      .enum(KYC_PROVIDERS)
      .refine((p) => offered.includes(p), { message: `provider must be one of ${offered.join(', ')}` })
      .default(defaultProvider as (typeof KYC_PROVIDERS)[number]),
  });
}
export const approveBody = z.object({ notes: z.string().trim().max(2000).optional() });
export const rejectBody = z.object({ reason: z.string().trim().min(1).max(2000) });

export function createKycRouter(deps: KycRouterDeps) {
  const router = new Router({ prefix: '/kyc' });
  const auth = authenticate(deps.tokens);
  const admin = requireRole(ADMIN_ROLES);
  const offered = Object.keys(deps.providers.clients) as [string, ...string[]];

  const startBody = kycStartBody(offered, deps.providers.defaultProvider);

  router.post('/start', auth, async (ctx) => {
    const { provider } = validate(startBody, ctx.request.body ?? {}, 'KYC start');
    const { userId } = principalOf(ctx);
    const started = await deps.cases.start(userId, provider);
    ctx.status = 202;
    ctx.body = {
      workflowId: started.workflowId,
      status: started.state?.status ?? 'PENDING',
      attempt: started.state?.attempt ?? 1,
      provider: started.state?.provider ?? provider,
      resubmitted: started.resubmitted,
    } satisfies z.output<typeof kycStarted>;
  });

  router.get('/status', auth, async (ctx) => {
    ctx.body = await getKycStatus(emOf(ctx), principalOf(ctx).userId);
  });

  // No authentication: the provider's HMAC over the raw body is the credential.
  router.post('/webhook/:provider', rateLimit(deps.webhookLimits), async (ctx) => {
    const outcome = await handleKycWebhook(
      { em: emOf(ctx), providers: deps.providers, cases: deps.cases, onSignatureFailure: deps.onSignatureFailure },
      ctx.params.provider!,
      ctx.headers,
      ctx.state.rawBody as Buffer,
      ctx.request.body,
    );
    ctx.body = { received: true, outcome } satisfies z.output<typeof webhookReceived>;
  });

  router.get('/admin/pending', auth, admin, async (ctx) => {
    const { limit, offset } = validate(page, ctx.query, 'query');
    const { items, total } = await pendingKycCases(emOf(ctx), limit, offset);
    ctx.body = { items, total, limit, offset };
  });

  const decide = (decision: 'APPROVE' | 'REJECT') => async (ctx: Context & { params: Record<string, string> }) => {
    const { userId } = validate(userIdParam, ctx.params, 'path');
    const body =
      decision === 'APPROVE'
        ? validate(approveBody, ctx.request.body ?? {}, 'approval')
        : validate(rejectBody, ctx.request.body ?? {}, 'rejection');
    const adminId = principalOf(ctx).userId;
    const notes = 'notes' in body ? (body.notes ?? null) : (body as { reason: string }).reason;
    const state = await deps.cases.decide(userId, adminId, decision, notes);
    ctx.body = {
      userId,
      status: state.status,
      decidedBy: state.decidedBy,
      reason: state.reason,
    } satisfies z.output<typeof kycDecided>;
  };
  router.put('/admin/:userId/approve', auth, admin, decide('APPROVE'));
  router.put('/admin/:userId/reject', auth, admin, decide('REJECT'));

  return router;
}
