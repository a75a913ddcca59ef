import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser, type HttpClient } from '../helpers/http';
import { providerWebhook } from '../helpers/kyc-providers';
import { LiveClient } from '../helpers/live-client';
import { promtoolCheckMetrics } from '../helpers/promtool';

const TOKEN = 'a-metrics-token-only-this-test-knows';
// Two API replicas of one deployment: same Redis prefix, each its own process context.
const PREFIX = `test-metrics-${randomUUID().slice(0, 8)}`;
let ctx: AppContext;
let replica: AppContext;
let http: HttpClient;
let httpReplica: HttpClient;
let apiUrl: string;
let off: AppContext;
let httpOff: HttpClient;

beforeAll(async () => {
  const env = { METRICS_TOKEN: TOKEN, METRICS_CACHE_MS: '30000', REDIS_PREFIX: PREFIX };
  ctx = await createTestContext(env);
  await startTestWorker(ctx);
  apiUrl = (await startTestApi(ctx)).url;
  http = httpClient(apiUrl);
  replica = await createTestContext(env, ctx.taskQueues);
  httpReplica = httpClient((await startTestApi(replica)).url);
  off = await createTestContext();
  httpOff = httpClient((await startTestApi(off)).url);
});
afterAll(async () => {
  await replica?.shutdown.run('test done');
  await ctx?.shutdown.run('test done');
  await off?.shutdown.run('test done');
});

const scrape = async (client = http) => {
  const res = await client.get('/metrics', TOKEN);
  expect(res.status).toBe(200);
  return String(res.body);
};
/** The value of one sample, by its exact name and labels as exposed; undefined when absent. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

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

  it('passes `promtool check metrics` on both replicas (the lease holder adds the cluster gauges)', async () => {
    await http.get(`/binary/${randomUUID()}`);
    const texts = [await scrape(http), await scrape(httpReplica)];
    expect(texts.filter((t) => t.includes('temporal_workflow_executions{'))).toHaveLength(1);
    for (const text of texts) expect(promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });
});

describe('HTTP requests per route template', () => {
  it('counts and times requests under the route template, never the raw path', async () => {
    const user = await registerUser(http);
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) expect((await http.get(`/binary/${id}`, user.token)).status).toBe(404);
    expect((await http.get('/no/such/path')).status).toBe(404);
    const text = await scrape();
    expect(sample(text, 'http_requests_total{method="GET",route="/binary/:id",status="404"}')).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/binary/:id",status="404"}')).toBe(2);
    expect(
      sample(text, 'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/binary/:id",status="404"}'),
    ).toBe(2);
    expect(sample(text, 'http_requests_total{method="POST",route="/auth/register",status="201"}')).toBeGreaterThan(0);
    expect(sample(text, 'http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    for (const id of ids) expect(text).not.toContain(id);
    expect(text).not.toContain('/no/such/path');
  });
});

describe('business counters', () => {
  it('login failures, webhook signature failures and socket connections', async () => {
    const user = await registerUser(http);
    const before = sample(await scrape(), 'auth_login_failures_total{reason="bad_credentials"}') ?? 0;
    const wrong = await http.post('/auth/login', { email: user.email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    const bad = await http.call('POST', '/kyc/webhook/local', {
      raw: '{"x":1}',
      headers: { 'x-local-signature': 'ab'.repeat(32) },
    });
    expect(bad.status).toBe(401);
    const live = await LiveClient.connect(apiUrl, user.token);
    let text = await scrape();
    expect(sample(text, 'auth_login_failures_total{reason="bad_credentials"}')).toBe(before + 1);
    expect(sample(text, 'webhook_signature_failures_total{provider="local"}')).toBe(1);
    expect(sample(text, 'socketio_connections')).toBe(1);
    live.close();
    text = await eventually(async () => {
      const t = await scrape();
      return sample(t, 'socketio_connections') === 0 && t;
    });
    expect(sample(text, 'socketio_connections_opened_total')).toBe(1);
  });

  it('a KYC decision by the provider and a binary settlement with its lag', async () => {
    const user = await registerUser(http);
    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
    const sql = (q: string, p: unknown[]) => ctx.orm.em.fork().execute(q, p);
    const providerId = await eventually(
      async () => (await sql(`select provider_id from kyc where user_id = ?`, [user.id]))[0]?.provider_id as string,
    );
    const hook = providerWebhook('LOCAL', { userId: user.id, providerId, verdict: 'APPROVED' });
    expect((await http.call('POST', '/kyc/webhook/local', { raw: hook.body, headers: hook.headers })).status).toBe(200);

    const dep = await http.post('/wallet/deposit', { amount: '50' }, user.token, { 'idempotency-key': randomUUID() });
    expect(dep.status).toBe(201);
    const open = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
      user.token,
    );
    expect(open.status).toBe(201);
    const text = await eventually(
      async () => {
        const t = await scrape();
        return sample(t, 'binary_settlement_lag_seconds_count') === 1 &&
          sample(t, 'kyc_decisions_total{actor="provider",outcome="APPROVED"}') === 1
          ? t
          : undefined;
      },
      30_000,
      'the settlement and the KYC decision to be counted',
    );
    const [row] = await sql(`select extract(epoch from settled_at - expires_at) lag from binary_trades where id = ?`, [
      open.body.id,
    ]);
    // The histogram's sum is the one lag observed; the database's timestamps are the reference.
    expect(sample(text, 'binary_settlement_lag_seconds_sum')).toBeCloseTo(Number(row.lag), 2);
    expect(sample(text, 'binary_settlement_failed_total')).toBe(0);
  });
});

describe('cluster-wide gauges: one replica, once per interval', () => {
  it('only the lease holder emits them, every scrape of either replica reads no queue nor Temporal', async () => {
    const counted = [jest.spyOn(ctx.temporal.workflow, 'count'), jest.spyOn(replica.temporal.workflow, 'count')];
    const scrapes = await Promise.all(Array.from({ length: 20 }, (_, i) => scrape(i % 2 ? http : httpReplica)));
    const holders = scrapes.filter((t) => sample(t, 'cluster_metrics_lease_held') === 1);
    const others = scrapes.filter((t) => sample(t, 'cluster_metrics_lease_held') === 0);
    // All scrapes of one replica hold it, all of the other do not.
    expect([holders.length, others.length]).toEqual([10, 10]);
    for (const t of holders) {
      expect(t).toMatch(/^temporal_workflow_executions\{workflow_type="binaryTrade",status="completed"\} \d+$/m);
      expect(t).toMatch(/^bullmq_queue_jobs\{queue="email-notifications",state="waiting"\} \d+$/m);
      expect(t).toContain('# TYPE cluster_metrics_snapshot_age_seconds gauge');
    }
    for (const t of others) {
      expect(t).not.toContain('temporal_workflow_executions');
      expect(t).not.toContain('bullmq_queue_jobs');
      expect(t).not.toContain('outbox_oldest_pending_age_seconds');
    }
    // Both replicas were built before the spies: within the interval no scrape counts workflows.
    expect(counted[0]!.mock.calls.length + counted[1]!.mock.calls.length).toBe(0);
    for (const c of counted) c.mockRestore();
  });

  it('the lease holder reads the cluster once per interval (9 workflow counts), the other replica never', async () => {
    // A fresh pair of replicas with a short interval, on their own prefix.
    const prefix = `test-lease-${randomUUID().slice(0, 8)}`;
    const env = { METRICS_TOKEN: TOKEN, METRICS_CACHE_MS: '1000', REDIS_PREFIX: prefix };
    const a = await createTestContext(env);
    const b = await createTestContext(env, a.taskQueues);
    try {
      const spies = [jest.spyOn(a.temporal.workflow, 'count'), jest.spyOn(b.temporal.workflow, 'count')];
      const ha = httpClient((await startTestApi(a)).url);
      const hb = httpClient((await startTestApi(b)).url);
      const [ta, tb] = await Promise.all([scrape(ha), scrape(hb)]);
      expect([sample(ta, 'cluster_metrics_lease_held'), sample(tb, 'cluster_metrics_lease_held')].sort()).toEqual([
        0, 1,
      ]);
      const holder = sample(ta, 'cluster_metrics_lease_held') === 1 ? 0 : 1;
      await new Promise((r) => setTimeout(r, 3_500));
      const calls = spies.map((s) => s.mock.calls.length);
      // 4 intervals (the first tick and 3 more in 3.5 s), 9 counts each, all by the holder.
      expect(calls[1 - holder]).toBe(0);
      expect(calls[holder]).toBeGreaterThanOrEqual(27);
      expect(calls[holder]).toBeLessThanOrEqual(36);
      expect(calls[holder]! % 9).toBe(0);
    } finally {
      await b.shutdown.run('test done');
      await a.shutdown.run('test done');
    }
  });
});
