import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { AppError } from '../../kernel/errors';
import type { AppMetrics } from '../../kernel/metrics/app-metrics';
import type { ClusterMetrics } from './cluster-metrics';

export interface MetricsRouterDeps {
  /** This process's own metrics. */
  metrics: AppMetrics;
  /** The cluster-wide gauges (rendered only by the lease holder); built on first scrape. */
  cluster?: () => ClusterMetrics;
  /** Scrapes must send `Authorization: Bearer <token>`; without a token /metrics is off (404). */
  token?: string;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Prometheus text exposition at GET /metrics: this process's metrics, plus the cluster gauges on the lease holder. */
export function createMetricsRouter(deps: MetricsRouterDeps) {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    // Queue depths and workflow counts are not public: no token configured, no endpoint.
    if (!deps.token) throw new AppError('NOT_FOUND', 'metrics are off (METRICS_TOKEN is not set)');
    const m = /^Bearer (.+)$/.exec(ctx.get('authorization'));
    if (!m || !sameSecret(m[1]!, deps.token)) throw new AppError('UNAUTHENTICATED', 'metrics token required');
    let cluster = { holder: false, text: '' };
    try {
      if (deps.cluster) cluster = await deps.cluster().exposition();
    } catch (err) {
      ctx.state.logger?.warn({ err }, 'cluster metrics unavailable');
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'metrics are unavailable (Redis)');
    }
    deps.metrics.clusterLeaseHeld.set(cluster.holder ? 1 : 0);
    const { registry } = deps.metrics;
    ctx.type = registry.contentType;
    // Two registries, no family in both: the text format allows concatenating their expositions.
    ctx.body = (await registry.metrics()) + cluster.text;
  });
  return router;
}
