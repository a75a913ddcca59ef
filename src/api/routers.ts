import type Router from '@koa/router';
import { allQueueMetrics, opportunityStore, queueSet } from '../queues';
import { emailHelpers } from '../queues/email-producer';
import { createPrometheusMetrics } from '../queues/metrics';
import { createAdminQueuesRouter } from './routes/admin-queues';
import { createArbitrageRouter } from './routes/arbitrage';
import { createMetricsRouter } from './routes/metrics';
import { checkTemporal } from '../temporal/connection';
import type { AppContext } from '../main/context';
import { createAuthRouter } from './routes/auth';
import { createHealthRouter } from './routes/health';
import { createKycRouter } from './routes/kyc';
import { kycProvidersFromConfig } from '../providers/kyc/registry';
import { KycCases } from '../services/kyc-cases';
import { BinaryTrades } from '../services/binary-trades';
import { createAmlRouter } from './routes/aml';
import { createBinaryRouter } from './routes/binary';
import { createTradesRouter } from './routes/trades';
import { createWalletRouter } from './routes/wallet';

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
