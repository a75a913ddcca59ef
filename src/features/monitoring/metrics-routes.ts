import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { AppError } from '../../kernel/errors';

export interface MetricsRouterDeps {
  prometheus: () => { registry: Registry; refresh: () => Promise<void> };
  /** Scrapes must send `Authorization: Bearer <token>`; without a token /metrics is off (404). */
  token?: string;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Prometheus text exposition at GET /metrics. */
export function createMetricsRouter(deps: MetricsRouterDeps) {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    // Queue depths and workflow counts are not public: no token configured, no endpoint.
    if (!deps.token) throw new AppError('NOT_FOUND', 'metrics are off (METRICS_TOKEN is not set)');
    const m = /^Bearer (.+)$/.exec(ctx.get('authorization'));
    if (!m || !sameSecret(m[1]!, deps.token)) throw new AppError('UNAUTHENTICATED', 'metrics token required');
    const { registry, refresh } = deps.prometheus();
    try {
      await refresh();
    } catch (err) {
      ctx.state.logger?.warn({ err }, 'metrics refresh failed');
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'metrics are unavailable (Redis or Temporal)');
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
