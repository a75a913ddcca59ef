import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { routeByPrefix } from '../../src/kernel/http/route-by-prefix';

/**
 * routeByPrefix must answer every request exactly as the routers mounted one after another do
 * (@koa/router's own behaviour is the expected value): matches, 404s, 405s with their Allow
 * header, case-insensitive paths, trailing slashes, a path that only starts like a prefix.
 */
function routers(): Router[] {
  const wallet = new Router({ prefix: '/wallet' });
  wallet.use(async (ctx, next) => {
    ctx.set('x-wallet-mw', 'yes');
    await next();
  });
  wallet.get('/', (ctx) => (ctx.body = { at: 'wallet' }));
  wallet.post('/deposit', (ctx) => (ctx.body = { at: 'deposit' }));
  const open = new Router();
  open.get('/health', (ctx) => (ctx.body = { at: 'health' }));
  open.get('/admin/queues', (ctx) => (ctx.body = { at: 'queues' }));
  open.get('/wallet/export', (ctx) => (ctx.body = { at: 'unprefixed wallet export' }));
  const users = new Router({ prefix: '/admin/users' });
  users.get('/:id', (ctx) => (ctx.body = { at: 'user', id: ctx.params.id }));
  const kyc = new Router({ prefix: '/kyc' });
  kyc.get('/status', (ctx) => (ctx.body = { at: 'kyc status' }));
  const late = new Router();
  late.get('/kyc/late', (ctx) => (ctx.body = { at: 'late' }));
  return [open, wallet, users, kyc, late];
}

const REQUESTS: [string, string][] = [
  ['GET', '/wallet'],
  ['GET', '/WALLET'],
  ['GET', '/wallet/'],
  ['POST', '/wallet/deposit'],
  ['GET', '/wallet/deposit'],
  ['PUT', '/wallet'],
  ['GET', '/wallet/export'],
  ['GET', '/walletx'],
  ['GET', '/health'],
  ['POST', '/health'],
  ['GET', '/admin/users/42'],
  ['GET', '/admin/queues'],
  ['DELETE', '/kyc/status'],
  ['GET', '/kyc/status?x=1'],
  ['GET', '/kyc/late'],
  ['GET', '/nope'],
  ['OPTIONS', '/wallet/deposit'],
];

async function serve(mount: (app: Koa) => void): Promise<{ server: Server; url: string }> {
  const app = new Koa();
  mount(app);
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function answers(url: string) {
  const out = [];
  for (const [method, path] of REQUESTS) {
    const res = await fetch(url + path, { method });
    out.push({
      request: `${method} ${path}`,
      status: res.status,
      allow: res.headers.get('allow'),
      walletMiddleware: res.headers.get('x-wallet-mw'),
      body: await res.text(),
    });
  }
  return out;
}

it('answers every request as the routers mounted one by one do', async () => {
  const plain = await serve((app) => {
    for (const r of routers()) app.use(r.routes()).use(r.allowedMethods());
  });
  const byPrefix = await serve((app) => app.use(routeByPrefix(routers())));
  try {
    const expected = await answers(plain.url);
    // The table is not trivial: matches, 404s and 405s are all in it.
    expect(new Set(expected.map((a) => a.status))).toEqual(new Set([200, 404, 405]));
    expect(await answers(byPrefix.url)).toEqual(expected);
  } finally {
    plain.server.close();
    byPrefix.server.close();
  }
});
