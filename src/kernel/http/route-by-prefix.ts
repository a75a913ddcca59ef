import compose from 'koa-compose';
import type Router from '@koa/router';
import type { Middleware } from 'koa';

/**
 * The feature routers as one middleware that passes a request only through the routers that can
 * answer its path: the routers whose prefix the path is under (`/wallet` for `/wallet` and
 * `/wallet/...`) and the routers without a prefix, in the order given, each with its 405 check.
 *
 * Why: @koa/router tests a path against every route of every router it passes. GET /wallet went
 * through seven routers' tables (the console's alone has dozens of routes) before its own: in a
 * profile of the standalone API under GET /wallet load, route matching and the routers'
 * middleware chains were about 6% of its CPU. A router whose prefix the path is not under cannot
 * match it and passes the request on unchanged, so skipping it changes no answer, 404 and 405
 * included. Prefixes are compared without case, as @koa/router matches by default.
 */
export function routeByPrefix(routers: Router[]): Middleware {
  // A prefix with parameters (`/users/:id`) is not a literal: such a router is asked for every path.
  const prefixOf = (r: Router) => {
    const prefix = (r.opts.prefix ?? '').toLowerCase();
    return /[:(*?]/.test(prefix) ? '' : prefix;
  };
  const prefixes = [...new Set(routers.map(prefixOf).filter(Boolean))];
  // One chain per set of prefixes a path is under (one set in practice: none nest).
  const chains = new Map<string, Middleware>();
  const chainFor = (matched: string[]) =>
    compose(
      routers
        .filter((r) => prefixOf(r) === '' || matched.includes(prefixOf(r)))
        .flatMap((r) => [r.routes() as Middleware, r.allowedMethods() as Middleware]),
    );
  return (ctx, next) => {
    const path = ctx.path.toLowerCase();
    const matched = prefixes.filter((p) => path === p || path.startsWith(`${p}/`));
    const key = matched.join(' ');
    let chain = chains.get(key);
    if (!chain) chains.set(key, (chain = chainFor(matched)));
    return chain(ctx, next);
  };
}
