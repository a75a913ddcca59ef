import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { AppContext } from '../../src/main/context';
import { buildRouters } from '../../src/main/routers';
import { openApiPath } from '../../src/features/openapi/document';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpClient, registerUser, UndocumentedResponse, type HttpClient, type HttpResult } from '../helpers/http';
import { responseChecker } from '../helpers/openapi';

let ctx: AppContext;
let http: HttpClient;
let doc: any;
const workflows: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ METRICS_TOKEN: 'openapi-test-metrics-token-0123' });
  // POST /binary/open answers once the trade's workflow has opened it: a worker must run.
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
  const res = await http.get('/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  for (const id of workflows)
    await ctx.temporal.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  await ctx.shutdown.run('test done');
});

const HTTP_METHODS = ['get', 'post', 'put', 'delete', 'patch'];

/** Every (method, path template) the API's routers register, read from their stacks. */
function registeredRoutes(routers: Router[]): { method: string; path: string; all: boolean }[] {
  const out: { method: string; path: string; all: boolean }[] = [];
  for (const router of routers) {
    for (const layer of router.stack as unknown as { methods: string[]; path: string | RegExp }[]) {
      const methods = layer.methods.map((m) => m.toLowerCase()).filter((m) => HTTP_METHODS.includes(m));
      if (methods.length === 0) continue; // router.use() middleware, not a route
      const all = methods.length >= 5; // router.all()
      for (const method of all ? ['get'] : methods) out.push({ method, path: String(layer.path), all });
    }
  }
  return out;
}

describe('/openapi.json', () => {
  it('is OpenAPI 3.1 with JSON Schema from the zod schemas the routes validate with', () => {
    expect(doc.openapi).toBe('3.1.0');
    const open = doc.paths['/binary/open'].post.requestBody.content['application/json'].schema;
    // From the route's own schema: the deployment's symbols and expiry bounds.
    expect(open.properties.symbol.enum).toEqual(ctx.config.SYMBOLS);
    expect(open.properties.expiry).toMatchObject({
      minimum: ctx.config.BINARY_MIN_EXPIRY_SECONDS,
      maximum: ctx.config.BINARY_MAX_EXPIRY_SECONDS,
    });
    expect(open.required).toEqual(expect.arrayContaining(['symbol', 'direction', 'stake', 'expiry']));
    const after = doc.paths['/events'].get.parameters.find((p: any) => p.name === 'after');
    expect(after).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 0 } });
  });

  it('documents every route the routers register, and nothing they do not', () => {
    const routes = registeredRoutes(buildRouters(ctx));
    expect(routes.length).toBeGreaterThan(60);
    const missing = routes
      .filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method])
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
    const registered = new Set(routes.map((r) => `${r.method} ${openApiPath(r.path)}`));
    const stale = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`))
      .filter((k) => !registered.has(k));
    expect(stale).toEqual([]);
  });

  it('documents the success body of every JSON route (free-form: /openapi.json and the bull-board API)', () => {
    const bare = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) =>
          Object.values(op.responses as Record<string, any>).some((r) => {
            const schema = r.content?.['application/json']?.schema;
            return schema && Object.keys(schema).length === 0;
          }),
        )
        .map(([method]) => `${method} ${path}`),
    );
    // bull-board's catch-all answers bull-board's own JSON API besides its pages.
    expect(bare.sort()).toEqual(['get /admin/queues/{rest}', 'get /openapi.json']);
  });
});

describe('responses validate against the document', () => {
  it('for the calls a client makes: auth, wallet, binary, events, health and errors', async () => {
    const check = responseChecker(doc);
    const seen: [string, string, HttpResult][] = [];
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      token?: string,
      headers?: Record<string, string>,
    ) => {
      const res = await http.call(method, path, { body, token, headers });
      seen.push([method, path, res]);
      return res;
    };
    const email = `oa-${randomUUID()}@example.test`;
    const reg = await call('POST', '/auth/register', {
      email,
      password: 'correct horse battery',
      fullName: 'O A',
      country: 'DE',
    });
    expect(reg.status).toBe(201);
    const token = reg.body.token as string;
    expect((await call('POST', '/auth/login', { email, password: 'correct horse battery' })).status).toBe(200);
    expect((await call('POST', '/auth/login', { email, password: 'wrong' })).status).toBe(401);
    await call('GET', '/auth/me', undefined, token);
    await call('POST', '/wallet/deposit', { amount: '50' }, token, { 'idempotency-key': randomUUID() });
    await call('GET', '/wallet', undefined, token);
    const open = await call(
      'POST',
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '5', expiry: 60 },
      token,
    );
    expect(open.status).toBe(201);
    workflows.push(binaryWorkflowId(open.body.id));
    await call('GET', `/binary/${open.body.id}`, undefined, token);
    await call('GET', '/binary?limit=5', undefined, token);
    await call('GET', `/binary/${randomUUID()}`, undefined, token);
    await call('POST', '/binary/open', { symbol: 'NOPE', direction: 'UP', stake: '5', expiry: 60 }, token);
    await call('GET', '/events?after=0', undefined, token);
    await call('GET', '/events?after=-1', undefined, token);
    await call('GET', '/health');
    const other = await registerUser(http);
    await call('GET', '/wallet', undefined, other.token);

    const statuses = seen.map(([, , r]) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 201, 400, 401, 404]));
    expect(seen.flatMap(([m, p, r]) => check(m, p, r))).toEqual([]);
  });

  it('the checker fails a response that does not match (it really validates)', () => {
    const check = responseChecker(doc);
    const fake = (status: number, body: unknown): HttpResult => ({
      status,
      body,
      headers: new Headers({ 'content-type': 'application/json' }),
    });
    expect(check('GET', '/auth/me', fake(200, { user: { id: 1 } })).length).toBeGreaterThan(0);
    // 4XX range: the error shape.
    expect(check('GET', '/auth/me', fake(418, { error: { code: 'X', message: 'm' } }))).toEqual([]);
    expect(check('GET', '/auth/me', fake(418, {})).length).toBeGreaterThan(0);
    expect(check('GET', '/auth/me', fake(401, { nope: true })).length).toBeGreaterThan(0);
    expect(
      check(
        'GET',
        '/events',
        fake(200, { events: [{ event: 'x', payload: { eventId: 'e', seq: 0 } }], lastSeq: 0, truncated: false }),
      ).length,
    ).toBeGreaterThan(0);
  });
});

describe('the shared test client checks every response against the document', () => {
  it('throws on a wrong body, an undocumented status and an undocumented route, naming route, status and errors', async () => {
    // A server that answers what the test says, standing in for an API that drifted from its document.
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    const server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const drifted = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      answer = { status: 200, body: { user: { id: 1 } } };
      const wrongBody = await drifted.get('/auth/me').catch((e: unknown) => e);
      expect(wrongBody).toBeInstanceOf(UndocumentedResponse);
      expect(String(wrongBody)).toContain('GET /auth/me 200: /user/id must be string');
      answer = { status: 302, body: {} };
      expect(String(await drifted.get('/auth/me').catch((e: unknown) => e))).toContain(
        'GET /auth/me: status 302 is not documented',
      );
      answer = { status: 200, body: { ok: true } };
      expect(String(await drifted.get('/no/such/route').catch((e: unknown) => e))).toContain(
        'GET /no/such/route is not in the document',
      );
      // An unknown route answered 404/405 in the error shape agrees with the document; not otherwise.
      answer = { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } };
      expect((await drifted.get('/no/such/route')).status).toBe(404);
      answer = { status: 404, body: { message: 'not the error shape' } };
      expect(String(await drifted.get('/no/such/route').catch((e: unknown) => e))).toContain(
        "GET /no/such/route 404: (body) must have required property 'error'",
      );
      expect(String(await drifted.get('/wallet').catch((e: unknown) => e))).toContain(
        "GET /wallet 404: (body) must have required property 'error'",
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('/docs', () => {
  it('serves the reference page and its script from this server, with no other origin referenced', async () => {
    const page = await http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = await http.get('/docs/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    for (const text of [String(page.body), String(script.body)])
      expect(text).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(String(page.body)).toContain('<script src="/docs/app.js"></script>');
    expect(String(script.body)).toContain("fetch('/openapi.json')");
  });
});
