import Koa from 'koa';
import type Router from '@koa/router';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { jsonBody } from './middleware/body';
import { errorMiddleware } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { httpMetrics } from './middleware/http-metrics';
import { routeByPrefix } from './route-by-prefix';
import type { AppMetrics } from '../metrics/app-metrics';

export interface AppDeps {
  logger: Logger;
  orm: MikroORM;
  bodyLimit: string;
  /** Every feature router, already built with its own dependencies. */
  routers: Router[];
  /** Path prefixes whose HTML forms may post application/x-www-form-urlencoded. */
  formPaths?: readonly string[];
  /** Request rate and duration per route template. */
  metrics?: AppMetrics['http'];
}

/** The Koa application: cross-cutting middleware, then the feature routers. No listening here. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  // The address the nearest proxy saw (the last X-Forwarded-For entry), not one the client wrote.
  app.maxIpsCount = 1;
  app.use(requestContext(deps.logger, deps.orm));
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(securityHeaders());
  app.use(errorMiddleware());
  app.use(jsonBody(deps.bodyLimit, deps.formPaths));
  app.use(routeByPrefix(deps.routers));
  // Errors are answered by errorMiddleware; Koa's default handler would print them again.
  app.silent = true;
  return app;
}
