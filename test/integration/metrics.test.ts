import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { httpClient, type HttpClient } from '../helpers/http';

const TOKEN = 'a-metrics-token-only-this-test-knows';
let ctx: AppContext;
let http: HttpClient;
let off: AppContext;
let httpOff: HttpClient;

beforeAll(async () => {
  ctx = await createTestContext({ METRICS_TOKEN: TOKEN, METRICS_CACHE_MS: '30000' });
  http = httpClient((await startTestApi(ctx)).url);
  off = await createTestContext();
  httpOff = httpClient((await startTestApi(off)).url);
});
afterAll(async () => {
  await ctx?.shutdown.run('test done');
  await off?.shutdown.run('test done');
});

describe('/metrics', () => {
  it('is off without METRICS_TOKEN: 404 JSON, with or without a token', async () => {
    const res = await httpOff.get('/metrics');
    expect([res.status, res.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await httpOff.get('/metrics', TOKEN)).status).toBe(404);
  });

  it('requires the token: none or a wrong one is 401', async () => {
    expect((await http.get('/metrics')).status).toBe(401);
    expect((await http.get('/metrics', `${TOKEN}x`)).status).toBe(401);
  });

  it('20 concurrent scrapes read Temporal once (9 counts); later scrapes within the interval reuse it', async () => {
    // Counts the calls the real client makes; each call still goes to the Temporal server.
    const counted = jest.spyOn(ctx.temporal.workflow, 'count');
    const scrapes = await Promise.all(Array.from({ length: 20 }, () => http.get('/metrics', TOKEN)));
    expect(scrapes.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of scrapes) expect(String(r.body)).toContain('temporal_workflow_executions{');
    expect(counted).toHaveBeenCalledTimes(9);
    expect((await http.get('/metrics', TOKEN)).status).toBe(200);
    expect(counted).toHaveBeenCalledTimes(9);
    counted.mockRestore();
  });
});
