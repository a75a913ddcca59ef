import { freePort } from '../../scripts/stack/net';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { httpClient } from '../helpers/http';

describe('/health and /ready', () => {
  const contexts: AppContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.shutdown.run('test done');
  });

  it('reports ready with every dependency up', async () => {
    const ctx = await createTestContext();
    contexts.push(ctx);
    const http = httpClient((await startTestApi(ctx)).url);
    expect((await http.get('/health')).body).toEqual({ status: 'ok' });
    const ready = await http.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', temporal: 'up' } });
  });

  it('answers 503 naming Redis when Redis is unreachable, while /health stays 200', async () => {
    const closedPort = await freePort();
    const ctx = await createTestContext({ REDIS_URL: `redis://127.0.0.1:${closedPort}/0` });
    contexts.push(ctx);
    const http = httpClient((await startTestApi(ctx)).url);
    const ready = await http.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(ready.body.error.message).toBe('not ready: redis down');
    expect(ready.body.error.details.checks).toEqual({ postgres: 'up', redis: 'down', temporal: 'up' });
    expect((await http.get('/health')).status).toBe(200);
  });

  it('answers an unknown route with the JSON error shape and 404', async () => {
    const ctx = contexts[0]!;
    const http = httpClient((await startTestApi(ctx)).url);
    const res = await http.get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
