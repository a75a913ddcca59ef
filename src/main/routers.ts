import type Router from '@koa/router';
import { QUEUE_NAMES, allQueueMetrics, opportunityStore, queueMetricsDeps, queueSet } from './queues';
import { readClusterSnapshot } from '../features/monitoring/queue-metrics';
import { ClusterMetrics } from '../features/monitoring/cluster-metrics';
import { createAdminQueuesRouter } from '../features/monitoring/admin-queues-routes';
import { createArbitrageRouter } from '../features/arbitrage/routes';
import { createMetricsRouter } from '../features/monitoring/metrics-routes';
import { checkTemporal } from '../kernel/temporal/connection';
import type { AppContext } from './context';
import { bodyEmail, redisLimiter, type LimitRule, type LimitSpec } from '../kernel/http/middleware/throttle';
import { LoginLock } from '../features/auth/login-lock';
import { createAuthRouter } from '../features/auth/routes';
import { createHealthRouter } from '../features/monitoring/health-routes';
import { createKycRouter } from '../features/kyc/routes';
import { createAmlRouter } from '../features/aml/routes';
import { createComplianceTimelineRouter } from '../features/aml/timeline-routes';
import { createBinaryRouter } from '../features/binary/routes';
import { createTradesRouter } from '../features/trades/routes';
import { createWalletRouter } from '../features/wallet/routes';
import { createWebhooksRouter } from '../features/webhooks/routes';
import { createOpenApiRouter } from '../features/openapi/routes';
import { openApiDocument } from '../features/openapi/document';
import { createEventsRouter } from '../features/realtime/routes';
import { EventLog } from '../features/realtime/event-log';
import { createConsoleRouter } from '../features/console/routes';
import { ConsoleSessions, secureCookiesFor } from '../features/console/session';
import { amlSourceFromRecords } from '../features/console/aml-source';

/** Every feature router of the API, built from the process context. Features add theirs here. */
export function buildRouters(ctx: AppContext): Router[] {
  const limits = throttles(ctx);
  return [
    createHealthRouter([
      { name: 'postgres', check: () => ctx.orm.em.getConnection().execute('select 1') },
      { name: 'redis', check: () => ctx.redis.ping() },
      { name: 'temporal', check: () => checkTemporal(ctx.temporal) },
    ]),
    createAuthRouter({ tokens: ctx.tokens, throttle: { ...limits.auth, lock: limits.lock } }),
    ...queueRouters(ctx, limits),
    createKycRouter({
      tokens: ctx.tokens,
      providers: ctx.kycProviders,
      cases: ctx.kycCases,
      webhookLimits: limits.webhook,
      onSignatureFailure: (provider) => ctx.metrics.business.webhookSignatureFailures.inc({ provider }),
    }),
    createWalletRouter({ tokens: ctx.tokens, aml: ctx.amlChecks, reads: ctx.reads }),
    createBinaryRouter({ tokens: ctx.tokens, trades: ctx.binaryTrades, config: ctx.config }),
    createAmlRouter({ tokens: ctx.tokens, checks: ctx.amlChecks, cases: ctx.amlCases }),
    createComplianceTimelineRouter({
      tokens: ctx.tokens,
      temporalUi: { url: ctx.config.TEMPORAL_UI_URL, namespace: ctx.config.TEMPORAL_NAMESPACE },
    }),
    createTradesRouter({ tokens: ctx.tokens, symbols: ctx.config.SYMBOLS, aml: ctx.amlChecks }),
    createOpenApiRouter(() => openApiDocument(ctx.config)),
    createEventsRouter({ tokens: ctx.tokens, log: new EventLog(ctx.redis, ctx.config) }),
    createWebhooksRouter({
      tokens: ctx.tokens,
      allowPrivateUrls: ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS,
      rotationOverlapSeconds: ctx.config.WEBHOOK_ROTATION_OVERLAP_SECONDS,
    }),
  ];
}

/** Arbitrage opportunities, the queue dashboard and metrics, Prometheus. */
function queueRouters(ctx: AppContext, limits: Throttles): Router[] {
  let cluster: ClusterMetrics | undefined;
  const c = ctx.config;
  const sessions = new ConsoleSessions(ctx.redis, c.REDIS_PREFIX, ctx.tokens, {
    idleSeconds: c.CONSOLE_SESSION_IDLE_SECONDS,
    maxSeconds: c.CONSOLE_SESSION_MAX_SECONDS,
  });
  const queues = () => [queueSet(ctx).email, queueSet(ctx).ai.queue, ctx.webhooks.queue];
  return [
    createConsoleRouter({
      sessions,
      kyc: ctx.kycCases,
      trades: ctx.binaryTrades,
      aml: amlSourceFromRecords(ctx.amlCases),
      loginLimits: limits.auth.login,
      loginLock: limits.lock,
      queues,
      temporalUi: { url: c.TEMPORAL_UI_URL, namespace: c.TEMPORAL_NAMESPACE },
      secureCookies: secureCookiesFor(c.NODE_ENV),
    }),
    createArbitrageRouter({
      tokens: ctx.tokens,
      store: opportunityStore(ctx),
      queue: () => queueSet(ctx).ai,
      symbols: ctx.config.SYMBOLS,
    }),
    createAdminQueuesRouter({
      tokens: ctx.tokens,
      queues,
      metrics: () => allQueueMetrics(ctx),
      consoleSession: async (cookie) => (await sessions.resolve(cookie))?.principal ?? null,
      sessionTtlSeconds: ctx.config.JWT_TTL_SECONDS,
      loginLimits: limits.auth.login,
      loginLock: limits.lock,
      rateLimitMax: { [QUEUE_NAMES.email]: c.EMAIL_RATE_MAX, [QUEUE_NAMES.ai]: c.AI_SCAN_RATE_MAX },
    }),
    createMetricsRouter({
      token: ctx.config.METRICS_TOKEN,
      metrics: ctx.metrics,
      cluster: () => {
        if (!cluster) {
          cluster = new ClusterMetrics({
            redis: ctx.redis,
            redisPrefix: c.REDIS_PREFIX,
            instanceId: ctx.instanceId,
            intervalMs: c.METRICS_CACHE_MS,
            read: () => readClusterSnapshot(queueMetricsDeps(ctx)),
            logger: ctx.logger,
          });
          ctx.shutdown.add('cluster-metrics', cluster.start());
        }
        return cluster;
      },
    }),
  ];
}

type Throttles = ReturnType<typeof throttles>;

/** Per IP and per account, in Redis; the dashboard login shares the login counters. */
function throttles(ctx: AppContext) {
  const c = ctx.config;
  const limiter = (name: string, points: number, extra: Partial<LimitSpec> = {}) =>
    redisLimiter(ctx.redis, ctx.config.REDIS_PREFIX, {
      name,
      points,
      durationSeconds: c.RATE_LIMIT_WINDOW_SECONDS,
      ...extra,
    });
  const byIp = (name: string, points: number, what: string): LimitRule => ({
    limiter: limiter(`${name}:ip`, points),
    key: (k) => k.ip,
    what,
  });
  const byAccount = (name: string, points: number, what: string): LimitRule => ({
    limiter: limiter(`${name}:account`, points),
    key: bodyEmail,
    what,
  });
  return {
    auth: {
      login: [
        byIp('login', c.RATE_LIMIT_LOGIN_PER_IP, 'sign-in attempts'),
        byAccount('login', c.RATE_LIMIT_LOGIN_PER_ACCOUNT, 'sign-in attempts for this account'),
      ],
      register: [
        byIp('register', c.RATE_LIMIT_REGISTER_PER_IP, 'registrations'),
        byAccount('register', c.RATE_LIMIT_REGISTER_PER_ACCOUNT, 'registrations for this address'),
      ],
    },
    webhook: <LimitRule[]>[
      byIp('webhook', c.RATE_LIMIT_WEBHOOK_PER_IP, 'webhook calls'),
      {
        limiter: limiter('webhook:provider', c.RATE_LIMIT_WEBHOOK_PER_PROVIDER),
        key: (k) => String((k as { params?: Record<string, string> }).params?.provider ?? '').slice(0, 32),
        what: 'webhook calls for this provider',
      },
    ],
    lock: new LoginLock(
      limiter('login:failures', c.LOGIN_LOCK_FAILURES, {
        durationSeconds: c.LOGIN_LOCK_SECONDS,
        blockSeconds: c.LOGIN_LOCK_SECONDS,
      }),
      c.LOGIN_LOCK_SECONDS,
      (reason) => ctx.metrics.business.loginFailures.inc({ reason }),
    ),
  };
}
