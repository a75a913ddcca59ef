import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/kernel/http/app';
import { buildRouters } from '../../src/main/routers';
import type { AppContext } from '../../src/main/context';
import { queueSet } from '../../src/main/queues';
import { BullEmailQueue } from '../../src/features/notifications/email-queue';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { outboxDelivered } from '../helpers/outbox';
import { startOutboxRelay } from '../../src/main/outbox';
import { ConsoleSessions } from '../../src/features/console/session';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

let ctx: AppContext;
let server: Server;
let http: HttpClient;
let base: string;
let admin: TestUser;
let user: TestUser;
const workflowIds: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ METRICS_TOKEN: 'metrics-token-0123456789' });
  server = createServer(
    createApp({ logger: ctx.logger, orm: ctx.orm, bodyLimit: '10kb', routers: buildRouters(ctx) }).callback(),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = httpClient(base);
  // The relay turns the registrations' outbox rows into email jobs (no BullMQ worker runs here).
  await startOutboxRelay(ctx);
  admin = await createStaff(ctx, 'ADMIN');
  user = await registerUser(http);
  await outboxDelivered(ctx.orm);
});

afterAll(async () => {
  for (const id of workflowIds)
    await ctx.temporal.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  await new Promise((r) => server.close(r));
  await ctx.shutdown.run('test done');
});

describe('queue metrics', () => {
  it('counts match the jobs and workflows created here (API, getAllQueueMetrics and Prometheus)', async () => {
    const email = (ctx.email as BullEmailQueue).queue;
    // The welcome email of the user registered in beforeAll is already waiting (no worker runs here).
    for (let i = 0; i < 3; i++)
      await ctx.email.enqueue({ template: 'welcome', to: `m${i}@example.test`, data: {} }, `m-${i}`);
    await email.add('welcome', { template: 'welcome', to: 'later@example.test', data: {} }, { delay: 3_600_000 });
    const ai = queueSet(ctx).ai;
    await ai.scheduleAIScan();
    await ai.scheduleAIScan();
    // Two KYC workflows on this test's task queue (no worker polls it, so they stay running).
    for (let i = 0; i < 2; i++) {
      const id = `kyc-metrics-${randomUUID()}`;
      workflowIds.push(id);
      await ctx.temporal.workflow.start('kycVerification', {
        taskQueue: ctx.taskQueues.compliance,
        workflowId: id,
        args: [{}],
      });
    }

    const res = await eventually(
      async () => {
        const r = await http.get('/admin/queues/metrics', admin.token);
        return r.body?.kyc?.running === 2 && r;
      },
      20_000,
      'visibility to count 2 running kyc workflows',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      email: { waiting: 4, active: 0, completed: 0, failed: 0, delayed: 1 },
      ai: { waiting: 2, active: 0, completed: 0, failed: 0, delayed: 0 },
      kyc: { running: 2, completed: 0, failed: 0 },
      binary: { running: 0, completed: 0, failed: 0 },
      aml: { running: 0, completed: 0, failed: 0 },
    });
    expect(Date.parse(res.body.timestamp)).not.toBeNaN();

    expect((await http.get('/admin/queues/metrics', user.token)).status).toBe(403);
    expect((await http.get('/admin/queues/metrics')).status).toBe(401);

    expect((await http.get('/metrics')).status).toBe(401);
    const prom = await http.get('/metrics', 'metrics-token-0123456789');
    expect(prom.status).toBe(200);
    expect(prom.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = String(prom.body);
    expect(text).toContain('bullmq_queue_jobs{queue="email-notifications",state="waiting"} 4');
    expect(text).toContain('bullmq_queue_jobs{queue="email-notifications",state="delayed"} 1');
    expect(text).toContain('bullmq_queue_jobs{queue="ai-arbitrage",state="waiting"} 2');
    expect(text).toContain('bullmq_jobs_finished{queue="email-notifications",outcome="failed"} 0');
    expect(text).toContain('temporal_workflow_executions{workflow_type="kycVerification",status="running"} 2');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('queue dashboard (bull-board) at /admin/queues', () => {
  it('refuses anonymous requests (401) and a USER (403), never serving the board', async () => {
    for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/x.js']) {
      const anon = await http.get(path);
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHENTICATED');
      const asUser = await http.get(path, user.token);
      expect(asUser.status).toBe(403);
    }
    const userLogin = await http.post('/admin/queues/login', { email: user.email, password: user.password });
    expect(userLogin.status).toBe(403);
    expect(userLogin.headers.get('set-cookie')).toBeNull();
    expect((await http.get('/admin/queues', undefined, { cookie: 'queues_session=not-a-token' })).status).toBe(401);
  });

  it('serves the board and its API to an ADMIN by bearer token or by the session cookie', async () => {
    const page = await http.get('/admin/queues', admin.token);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(String(page.body)).toContain('<title>Bull Dashboard</title>');
    expect(String(page.body)).toContain('<base href="/admin/queues/" />');
    expect((await http.get('/admin/queues/static/favicon-32x32.png', admin.token)).status).toBe(200);

    const api = await http.get('/admin/queues/api/queues', admin.token);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: any) => q.name).sort()).toEqual([
      'ai-arbitrage',
      'email-notifications',
      'webhook-deliveries',
    ]);

    const wrong = await http.post('/admin/queues/login', { email: admin.email, password: 'wrong password' });
    expect(wrong.status).toBe(401);
    const login = await http.post('/admin/queues/login', { email: admin.email, password: admin.password });
    expect(login.status).toBe(204);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^queues_session=/);
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).toContain('samesite=strict');
    expect(cookie).toContain('path=/admin/queues');
    const viaCookie = await http.get('/admin/queues/api/queues', undefined, { cookie: cookie.split(';')[0]! });
    expect(viaCookie.status).toBe(200);
  });
});

describe("bull-board's own actions on the console session", () => {
  let cookie: string;
  beforeAll(async () => {
    const sessions = new ConsoleSessions(ctx.redis, ctx.config.REDIS_PREFIX, ctx.tokens, {
      idleSeconds: 600,
      maxSeconds: 600,
    });
    const { id } = await sessions.create({ userId: admin.id, role: 'ADMIN' }, admin.email);
    cookie = `console_session=${id}`;
  });
  const emailQueue = () => (ctx.email as BullEmailQueue).queue;
  /** bull-board's "pause queue" button, as its page sends it (a PUT, no CSRF token). */
  const pause = (headers: Record<string, string>) =>
    fetch(`${base}/admin/queues/api/queues/email-notifications/pause`, { method: 'PUT', headers });
  const resume = () => emailQueue().resume();

  it('refuses a state-changing call from another origin or with no origin: 403 JSON, the queue untouched', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const res = await pause({ cookie, ...headers });
      expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      expect(await emailQueue().isPaused()).toBe(false);
    }
    // Reads on the same cookie still work (the board's page and API).
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { cookie } })).status).toBe(200);
  });

  it('lets a call from this origin through, by Origin or by Sec-Fetch-Site', async () => {
    try {
      expect((await pause({ cookie, origin: base })).status).toBe(200);
      expect(await emailQueue().isPaused()).toBe(true);
      await resume();
      expect((await pause({ cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
      expect(await emailQueue().isPaused()).toBe(true);
    } finally {
      await resume();
    }
  });

  it('a bearer token (not a browser cookie) needs no origin', async () => {
    try {
      expect((await pause({ authorization: `Bearer ${admin.token}` })).status).toBe(200);
      expect(await emailQueue().isPaused()).toBe(true);
    } finally {
      await resume();
    }
  });
});

describe('registration', () => {
  it('enqueues the welcome email with a deterministic job id', async () => {
    const u = await registerUser(http, { fullName: 'Grace Hopper' });
    await outboxDelivered(ctx.orm);
    const job = await (ctx.email as BullEmailQueue).queue.getJob(`welcome-${u.id}`);
    expect(job?.data).toEqual({ template: 'welcome', to: u.email, data: { name: 'Grace Hopper' } });
  });
});
