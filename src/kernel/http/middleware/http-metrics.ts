import type { Context, Next } from 'koa';
import type { AppMetrics } from '../../metrics/app-metrics';

/**
 * Request count and duration per route template (`/binary/trades/:id`, from @koa/router's
 * `_matchedRoute`), never the raw path: ids in paths would make a series per id. A request no
 * route matched is `route="unmatched"`. Placed outside the error middleware, it sees the status
 * the client got.
 */
export function httpMetrics(metrics: AppMetrics['http']) {
  return async (ctx: Context, next: Next) => {
    const stop = metrics.duration.startTimer();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const labels = {
        method: ctx.method,
        route: matched === undefined ? 'unmatched' : String(matched),
        status: String(ctx.status),
      };
      stop(labels);
      metrics.requests.inc(labels);
    }
  };
}
