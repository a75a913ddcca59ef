import type Router from '@koa/router';
import { allQueueMetrics, opportunityStore, queueMetricsDeps, queueSet } from './queues';
import { createPrometheusMetrics } from '../features/monitoring/queue-metrics';
import { createAdminQueuesRouter } from '../features/monitoring/admin-queues-routes';
import { createArbitrageRouter } from '../features/arbitrage/routes';
import { createMetricsRouter } from '../features/monitoring/metrics-routes';
import { checkTemporal } from '../kernel/temporal/connection';
import type { AppContext } from './context';
import { createAuthRouter } from '../features/auth/routes';
import { createHealthRouter } from '../features/monitoring/health-routes';
import { createKycRouter } from '../features/kyc/routes';
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
    createAuthRouter({ tokens: ctx.tokens }),
    ...queueRouters(ctx),
    createKycRouter({ tokens: ctx.tokens, providers: ctx.kycProviders, cases: ctx.kycCases }),
    createWalletRouter({ tokens: ctx.tokens, aml: ctx.amlChecks }),
    createBinaryRouter({ tokens: ctx.tokens, trades: ctx.binaryTrades, config: ctx.config }),
    createAmlRouter({ tokens: ctx.tokens, checks: ctx.amlChecks, cases: ctx.amlCases }),
    createTradesRouter({ tokens: ctx.tokens, symbols: ctx.config.SYMBOLS, aml: ctx.amlChecks }),
  ];
}

/** Arbitrage opportunities, the queue dashboard and metrics, Prometheus. */
function queueRouters(ctx: AppContext): Router[] {
  let prometheus: ReturnType<typeof createPrometheusMetrics> | undefined;
  return [
    createArbitrageRouter({
      tokens: ctx.tokens,
      store: opportunityStore(ctx),
      queue: () => queueSet(ctx).ai,
      symbols: ctx.config.SYMBOLS,
    }),
    createAdminQueuesRouter({
      tokens: ctx.tokens,
      queues: () => [queueSet(ctx).email, queueSet(ctx).ai.queue],
      metrics: () => allQueueMetrics(ctx),
      sessionTtlSeconds: ctx.config.JWT_TTL_SECONDS,
    }),
    createMetricsRouter({
      token: ctx.config.METRICS_TOKEN,
      prometheus: () => (prometheus ??= createPrometheusMetrics(queueMetricsDeps(ctx))),
    }),
  ];
}
