// One API route with the API's layers added one at a time, to attribute the gap between the API
// and a bare node:http server (bench/workloads/health-layers.ts, wallet-layers.ts):
//   node --import tsx bench/baselines/koa-layers.ts <port> health|wallet <layer>[,<layer>...] [databaseUrl]
// Layers, in the API's order (src/kernel/http/app.ts): context, metrics, headers, errors, body (the
// cross-cutting middleware, the project's own, built as createApp builds them); router (the
// feature's router instead of one middleware answering); for wallet also jwt (the wallet router's
// `authenticate` with the API's TokenService), reads (the API's read: `getWallet` through the read
// pool, kernel/db/read-pool.ts) or orm (the same query through MikroORM's EntityManager,
// `em.execute`, as GET /wallet ran it before the read pool), instead of the query through `pg`
// written inline, as the bare baseline runs it.
import { createServer } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { Pool } from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createLogger } from '../../src/kernel/logger';
import { createAppMetrics } from '../../src/kernel/metrics/app-metrics';
import { requestContext, emOf } from '../../src/kernel/http/middleware/request-context';
import { httpMetrics } from '../../src/kernel/http/middleware/http-metrics';
import { securityHeaders } from '../../src/kernel/http/middleware/security-headers';
import { errorMiddleware } from '../../src/kernel/http/middleware/errors';
import { jsonBody } from '../../src/kernel/http/middleware/body';
import { createHealthRouter } from '../../src/features/monitoring/health-routes';
import { createOrm } from '../../src/kernel/db/orm';
import { TokenService } from '../../src/features/auth/tokens';
import { authenticate, principalOf } from '../../src/features/auth/middleware';
import { getWallet } from '../../src/features/wallet/use-cases';
import { createReadPool } from '../../src/kernel/db/read-pool';
import { BENCH_JWT_SECRET } from '../harness/app-process';

const LAYERS = ['context', 'metrics', 'headers', 'errors', 'body', 'router', 'jwt', 'reads', 'orm'] as const;
type Layer = (typeof LAYERS)[number];

async function main() {
  const [port, route, list, databaseUrl] = process.argv.slice(2);
  const layers = new Set((list ?? '').split(',').filter(Boolean) as Layer[]);
  for (const l of layers) if (!LAYERS.includes(l)) throw new Error(`unknown layer ${l}`);
  // Without the orm layer nothing asks for the request's EntityManager (made on first use).
  const orm: MikroORM | undefined = layers.has('orm') ? await createOrm(databaseUrl!) : undefined;
  const logger = createLogger('info', 'api');
  const reads = layers.has('reads') ? createReadPool(databaseUrl!, 5, logger) : undefined;
  const pool = route === 'wallet' && !orm && !reads ? new Pool({ connectionString: databaseUrl, max: 10 }) : undefined;

  const app = new Koa();
  app.proxy = true;
  app.silent = true;
  if (layers.has('context')) app.use(requestContext(logger, orm ?? ({} as MikroORM)));
  if (layers.has('metrics')) app.use(httpMetrics(createAppMetrics().http));
  if (layers.has('headers')) app.use(securityHeaders());
  if (layers.has('errors')) app.use(errorMiddleware());
  if (layers.has('body')) app.use(jsonBody('100kb'));

  if (route === 'health') {
    if (layers.has('router')) {
      const router = createHealthRouter([]);
      app.use(router.routes());
      app.use(router.allowedMethods());
    } else {
      app.use((ctx) => {
        ctx.body = { status: 'ok' };
      });
    }
  } else if (route === 'wallet') {
    // The bare baseline names the user in the query string; with jwt the token names it.
    const userOf = (ctx: Koa.Context) => (layers.has('jwt') ? principalOf(ctx).userId : String(ctx.query.user));
    const read = async (ctx: Koa.Context) => {
      if (reads) return getWallet(reads, userOf(ctx));
      const sql = 'select balance, currency, locked, locked_reason from wallets where user_id = $1';
      const rows = orm
        ? await (layers.has('context') ? emOf(ctx) : orm.em.fork()).execute(sql.replace('$1', '?'), [userOf(ctx)])
        : (await pool!.query(sql, [userOf(ctx)])).rows;
      const w = rows[0];
      return { balance: Number(w.balance), currency: w.currency, locked: w.locked, lockedReason: w.locked_reason };
    };
    const router = new Router({ prefix: '/wallet' });
    if (layers.has('jwt')) router.use(authenticate(new TokenService(BENCH_JWT_SECRET, 3600)));
    router.get('/', async (ctx) => {
      ctx.body = await read(ctx);
    });
    app.use(router.routes());
    app.use(router.allowedMethods());
  } else {
    throw new Error(`unknown route ${route}`);
  }
  createServer(app.callback()).listen(Number(port), '127.0.0.1');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
