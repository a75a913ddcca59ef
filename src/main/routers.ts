import type Router from '@koa/router';
import { allQueueMetrics, opportunityStore, queueSet } from './queues';
import { emailHelpers } from '../features/notifications/email-queue';
import { createPrometheusMetrics } from '../features/monitoring/queue-metrics';
import { createAdminQueuesRouter } from '../features/monitoring/admin-queues-routes';
import { createArbitrageRouter } from '../features/arbitrage/routes';
import { createMetricsRouter } from '../features/monitoring/metrics-routes';
import { checkTemporal } from '../kernel/temporal/connection';
import type { AppContext } from './context';
import { createAuthRouter } from '../features/auth/routes';
import { createHealthRouter } from '../features/monitoring/health-routes';
import { createKycRouter } from '../features/kyc/routes';
import { kycProvidersFromConfig } from '../features/kyc/providers/registry';
import { KycCases } from '../features/kyc/cases';
import { BinaryTrades } from '../features/binary/client';
import { createAmlRouter } from '../features/aml/routes';
import { createBinaryRouter } from '../features/binary/routes';
import { createTradesRouter } from '../features/trades/routes';
import { createWalletRouter } from '../features/wallet/routes';

/** Every feature router of the API, built from the process context. Features add theirs here. */
export function buildRouters(ctx: AppContext): Router[] {
  return [
    createHealthRouter([
      { name: 'postgres', check: () => ctx.orm.em.getConnection().execute('select 1') },
      { name: 'redis', check: () => ctx.redis.ping() },
      { name: 'temporal', check: () => checkTemporal(ctx.temporal) },
    ]),
    createAuthRouter({
      tokens: ctx.tokens,
      // Welcome email; the job id makes a repeated hook call a no-op.
      onRegistered: (user) => emailHelpers(ctx.email).sendWelcomeEmail(user.email, user.fullName, `welcome-${user.id}`),
    }),
    ...queueRouters(ctx),
    createKycRouter({
      tokens: ctx.tokens,
      providers: kycProvidersFromConfig(ctx.config),
      cases: new KycCases(ctx.temporal, {
        taskQueue: ctx.taskQueues.compliance,
        providerDeadlineMs: ctx.config.KYC_PROVIDER_DEADLINE_MS,
        hardDeadlineMs: ctx.config.KYC_HARD_DEADLINE_MS,
        maxAttempts: ctx.config.KYC_MAX_ATTEMPTS,
      }),
    }),
    createWalletRouter({
      tokens: ctx.tokens,
      events: ctx.events,
      email: ctx.email,
      activityObserver: () => ctx.activityObserver,
    }),
    createBinaryRouter({
      tokens: ctx.tokens,
      trades: new BinaryTrades(ctx.temporal, ctx.taskQueues.trading),
      config: ctx.config,
    }),
    createAmlRouter({ tokens: ctx.tokens, engine: ctx.aml }),
    createTradesRouter({
      tokens: ctx.tokens,
      symbols: ctx.config.SYMBOLS,
      activityObserver: () => ctx.activityObserver,
    }),
  ];
}

/** Issue 6: arbitrage opportunities, queue dashboard and metrics, Prometheus. */
function queueRouters(ctx: AppContext): Router[] {
  let prometheus: ReturnType<typeof createPrometheusMetrics> | undefined;
  return [
    createArbitrageRouter({
      tokens: ctx.tokens,
      store: opportunityStore(ctx),
      queue: () => queueSet(ctx).ai,
      symbols: ctx.config.ARBITRAGE_SYMBOLS,
    }),
    createAdminQueuesRouter({
      tokens: ctx.tokens,
      queues: () => [queueSet(ctx).email, queueSet(ctx).ai.queue],
      metrics: () => allQueueMetrics(ctx),
      sessionTtlSeconds: ctx.config.JWT_TTL_SECONDS,
    }),
    createMetricsRouter({
      token: ctx.config.METRICS_TOKEN,
      prometheus: () =>
        (prometheus ??= createPrometheusMetrics({
          queues: { email: queueSet(ctx).email, ai: queueSet(ctx).ai.queue },
          temporal: ctx.temporal,
          taskQueues: ctx.taskQueues,
        })),
    }),
  ];
}
