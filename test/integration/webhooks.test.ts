import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { initQueues } from '../../src/main/queues';
import { deliveryJobId, webhookConsumer } from '../../src/features/webhooks/queue';
import { postWebhook } from '../../src/features/webhooks/sender';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TOPIC } from '../../src/features/webhooks/events';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Signed outbound webhooks end to end: the API, the worker's relay and Temporal workers, the
 * `webhook-deliveries` BullMQ worker, PostgreSQL and Redis, delivering to a local receiver that
 * checks every signature with the scheme the README publishes. Backoff is shortened (0.2 s
 * doubling to 1 s, 8 s window: 11 attempts) so retries and giving up happen within the test.
 */

const SECRETS = {
  s1: 'whsec_test_one_0123456789abcdef0123456789',
  s2: 'whsec_test_two_0123456789abcdef0123456789',
  s3: 'whsec_test_three_0123456789abcdef012345678',
};

let ctx: AppContext;
let http: HttpClient;
let master: TestUser;
let admin: TestUser;
let receiver: WebhookReceiver;
const endpointIds: string[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRETS);
  ctx = await createTestContext({
    WEBHOOK_BACKOFF_BASE_MS: '200',
    WEBHOOK_BACKOFF_MAX_MS: '1000',
    WEBHOOK_RETRY_WINDOW_MS: '8000',
    WEBHOOK_TIMEOUT_MS: '3000',
    OUTBOX_POLL_INTERVAL_MS: '200',
    AML_REMINDER_INTERVAL_MS: '600000',
  });
  await startTestWorker(ctx); // Temporal workers and the outbox relay
  await initQueues(ctx, { workers: ['webhook'] });
  http = httpClient((await startTestApi(ctx)).url);
  master = await createStaff(ctx, 'MASTER');
  admin = await createStaff(ctx, 'ADMIN');
});

afterAll(async () => {
  // Endpoints are global to the database: leave none enabled for later runs.
  if (endpointIds.length) {
    await ctx.orm.em.fork().execute(`update webhook_endpoints set enabled = false where id in (?)`, [endpointIds]);
  }
  await ctx.shutdown.run('test done');
  await receiver.close();
});

// Each test's endpoints stop receiving when it ends: later events fan out to the next test's only.
afterEach(async () => {
  if (endpointIds.length) {
    await ctx.orm.em.fork().execute(`update webhook_endpoints set enabled = false where id in (?)`, [endpointIds]);
  }
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);

async function register(path: string, body: Record<string, unknown>) {
  receiver.route(path, { accept: ['s1'] });
  const res = await http.post('/admin/webhooks/endpoints', { url: receiver.url(path), ...body }, master.token);
  expect(res.status).toBe(201);
  endpointIds.push(res.body.id);
  return res.body;
}

/** A user whose withdrawals go through: KYC set APPROVED directly (the KYC flow has its own tests), 100.00 deposited. */
async function withdrawer(): Promise<TestUser> {
  const user = await registerUser(http);
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  const dep = await http.post('/wallet/deposit', { amount: '100' }, user.token, { 'idempotency-key': randomUUID() });
  expect(dep.status).toBe(201);
  return user;
}

async function withdraw(user: TestUser, amount = '1'): Promise<string> {
  const res = await http.post('/wallet/withdraw', { amount }, user.token, { 'idempotency-key': randomUUID() });
  expect(res.status).toBe(201);
  return res.body.transactionId;
}

/** The withdrawal.completed event of one ledger transaction, once it reached `path`. */
const receivedWithdrawal = (path: string, transactionId: string, status = 200) =>
  eventually(
    async () => receiver.at(path).find((r) => r.event.data?.transactionId === transactionId && r.status === status),
    30_000,
    `withdrawal ${transactionId} at ${path} answered ${status}`,
  );

const deliveriesOf = async (query: string) => {
  const res = await http.get(`/admin/webhooks/deliveries?${query}`, master.token);
  expect(res.status).toBe(200);
  return res.body.items as any[];
};

describe('endpoint routes', () => {
  it('are MASTER only: no token 401, USER and ADMIN 403', async () => {
    const user = await registerUser(http);
    const body = { url: receiver.url('/x'), eventTypes: ['kyc.decided'] };
    expect((await http.post('/admin/webhooks/endpoints', body)).status).toBe(401);
    expect((await http.post('/admin/webhooks/endpoints', body, user.token)).status).toBe(403);
    expect((await http.post('/admin/webhooks/endpoints', body, admin.token)).status).toBe(403);
    expect((await http.get('/admin/webhooks/deliveries', admin.token)).status).toBe(403);
  });

  it('validate the URL scheme, the event types and the secret (400)', async () => {
    const post = (body: Record<string, unknown>) => http.post('/admin/webhooks/endpoints', body, master.token);
    const ftp = await post({ url: 'ftp://example.com/in', eventTypes: ['kyc.decided'] });
    expect([ftp.status, ftp.body.error.message]).toEqual([400, 'url must start with http:// or https://']);
    expect((await post({ url: receiver.url('/x'), eventTypes: ['kyc.maybe'] })).status).toBe(400);
    expect((await post({ url: receiver.url('/x'), eventTypes: [] })).status).toBe(400);
    expect((await post({ url: receiver.url('/x'), eventTypes: ['kyc.decided'], secret: 'short' })).status).toBe(400);
  });

  it('register returns the secret once (generated when not given); list, get and disable never show it', async () => {
    const created = await http.post(
      '/admin/webhooks/endpoints',
      { url: receiver.url('/generated'), eventTypes: ['kyc.decided', 'kyc.decided'], description: 'CRM' },
      master.token,
    );
    expect(created.status).toBe(201);
    endpointIds.push(created.body.id);
    expect(created.body).toMatchObject({ eventTypes: ['kyc.decided'], enabled: true, description: 'CRM' });
    expect(created.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(created.body.secretHint).toBe(`…${created.body.secret.slice(-4)}`);

    const listed = await http.get('/admin/webhooks/endpoints', master.token);
    const mine = listed.body.items.find((e: any) => e.id === created.body.id);
    expect(mine).toMatchObject({ url: receiver.url('/generated'), enabled: true });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const disabled = await http.post(`/admin/webhooks/endpoints/${created.body.id}/disable`, {}, master.token);
    expect([disabled.status, disabled.body.enabled]).toEqual([200, false]);
    expect(JSON.stringify(disabled.body)).not.toContain(created.body.secret);
    expect((await http.get(`/admin/webhooks/endpoints/${created.body.id}`, master.token)).body.enabled).toBe(false);
    expect((await http.post(`/admin/webhooks/endpoints/${randomUUID()}/disable`, {}, master.token)).status).toBe(404);
    const audit = await sql(`select action from audit_logs where target_id = ? order by seq`, [created.body.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook.endpoint_registered', 'webhook.endpoint_disabled']);
    expect(JSON.stringify(await sql(`select * from audit_logs where target_id = ?`, [created.body.id]))).not.toContain(
      created.body.secret,
    );
  });
});

describe('SSRF', () => {
  let strict: AppContext;
  let strictHttp: HttpClient;

  beforeAll(async () => {
    strict = await createTestContext({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
    strictHttp = httpClient((await startTestApi(strict)).url);
  });
  afterAll(() => strict.shutdown.run('test done'));

  it('with WEBHOOK_ALLOW_PRIVATE_URLS off, loopback, private and link-local targets are refused with 422 and nothing is stored', async () => {
    const token = await strict.tokens.issue({ userId: master.id, role: 'MASTER' });
    const before = Number((await sql(`select count(*) n from webhook_endpoints`))[0].n);
    for (const url of [
      receiver.url('/ssrf'),
      `http://localhost:${receiver.port}/ssrf`,
      'http://[::1]/ssrf',
      'http://[::ffff:127.0.0.1]/ssrf',
      'http://10.0.0.1/ssrf',
      'http://169.254.169.254/latest/meta-data',
      'http://0x7f000001/ssrf',
    ]) {
      const res = await strictHttp.post('/admin/webhooks/endpoints', { url, eventTypes: ['kyc.decided'] }, token);
      expect([url, res.status, res.body.error.code]).toEqual([url, 422, 'UNPROCESSABLE']);
      expect(res.body.error.message).toMatch(/private, loopback or reserved address/);
    }
    expect(Number((await sql(`select count(*) n from webhook_endpoints`))[0].n)).toBe(before);
  });

  it('the connection itself is checked: a name resolving to loopback is refused at delivery time, nothing is sent', async () => {
    receiver.route('/rebound', { accept: ['s1'] });
    const result = await postWebhook(
      `http://localhost:${receiver.port}/rebound`,
      '{}',
      {},
      {
        timeoutMs: 2000,
        allowPrivate: false,
      },
    );
    expect(result).toMatchObject({ statusCode: null, permanent: true });
    expect(result.error).toMatch(/not a public address/);
    expect(receiver.at('/rebound')).toHaveLength(0);
    // Allowed (tests, local development): the same call goes through.
    const allowed = await postWebhook(
      `http://localhost:${receiver.port}/rebound`,
      '{}',
      {},
      {
        timeoutMs: 2000,
        allowPrivate: true,
      },
    );
    expect(allowed.statusCode).toBe(401); // unsigned
  });
});

describe('events', () => {
  it('each of the seven event types reaches a subscribed endpoint, signed, with a unique event id; a narrower subscription gets only its type', async () => {
    await register('/all', { eventTypes: [...WEBHOOK_EVENT_TYPES], secret: SECRETS.s1 });
    await register('/withdrawals-only', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });

    // kyc.decided: a KYC case approved by an admin.
    const kycUser = await registerUser(http);
    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, kycUser.token)).status).toBe(202);
    await eventually(
      async () => (await sql(`select provider_id from kyc where user_id = ?`, [kycUser.id]))[0]?.provider_id,
      20_000,
      'KYC case opened',
    );
    expect((await http.put(`/kyc/admin/${kycUser.id}/approve`, {}, admin.token)).status).toBe(200);

    // withdrawal.completed
    const payer = await withdrawer();
    const withdrawal = await withdraw(payer, '12.34');

    // binary.settled: a 1 s trade, settled by its workflow.
    const trader = await registerUser(http);
    await http.post('/wallet/deposit', { amount: '50' }, trader.token, { 'idempotency-key': randomUUID() });
    const trade = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
      trader.token,
    );
    expect(trade.status).toBe(201);

    // account.frozen + aml.case.opened (11 deposits in a minute), then account.unfrozen + aml.case.closed (two approvals).
    const fast = await registerUser(http);
    for (let i = 0; i < 11; i++) {
      await http.post('/wallet/deposit', { amount: '1' }, fast.token, { 'idempotency-key': randomUUID() });
    }
    const byType = (type: string, userId: string) =>
      receiver
        .at('/all')
        .filter((r) => r.eventType === type && (r.event.data.userId ?? r.event.data.trade?.userId) === userId);
    await eventually(async () => byType('aml.case.opened', fast.id).length > 0, 30_000, 'aml.case.opened');
    // The case record opens with the crossing movement; the decisions go to its freeze workflow,
    // which the case names once it runs (on a busy machine, after the webhook was delivered).
    await eventually(
      async () => (await http.get(`/aml/admin/cases?userId=${fast.id}`, admin.token)).body.items[0]?.workflowId != null,
      30_000,
      'the case linked to its freeze workflow',
    );
    const decision = `/aml/admin/users/${fast.id}/decision`;
    expect((await http.put(decision, { decision: 'UNFREEZE' }, admin.token)).status).toBe(200);
    expect((await http.put(decision, { decision: 'UNFREEZE' }, master.token)).status).toBe(200);

    const expected: [string, string][] = [
      ['kyc.decided', kycUser.id],
      ['withdrawal.completed', payer.id],
      ['binary.settled', trader.id],
      ['account.frozen', fast.id],
      ['aml.case.opened', fast.id],
      ['account.unfrozen', fast.id],
      ['aml.case.closed', fast.id],
    ];
    for (const [type, userId] of expected) {
      await eventually(async () => byType(type, userId).length > 0, 40_000, `${type} for ${userId}`);
    }
    const mine = expected.flatMap(([type, userId]) => byType(type, userId));
    expect(mine).toHaveLength(7); // each exactly once
    expect(new Set(mine.map((r) => r.eventType))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
    expect(new Set(mine.map((r) => r.eventId)).size).toBe(7);
    for (const r of mine) {
      expect(r.status).toBe(200);
      expect(r.validFor).toEqual(['s1']);
      expect(r.signatures).toHaveLength(1);
      expect(Math.abs(r.t! - Math.floor(r.at / 1000))).toBeLessThanOrEqual(5);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-webhook-id']).toBe(r.eventId);
      expect(r.headers['x-webhook-event']).toBe(r.eventType);
      expect(r.event).toEqual({
        id: r.eventId,
        type: r.eventType,
        createdAt: expect.any(String),
        data: expect.any(Object),
      });
      expect(r.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }
    const one = (type: string, userId: string) => byType(type, userId)[0]!.event.data;
    expect(one('kyc.decided', kycUser.id)).toMatchObject({
      userId: kycUser.id,
      status: 'APPROVED',
      decidedBy: 'ADMIN',
    });
    expect(one('withdrawal.completed', payer.id)).toMatchObject({
      transactionId: withdrawal,
      amount: 1234,
      balance: 8766,
    });
    expect(one('binary.settled', trader.id).trade).toMatchObject({ id: trade.body.id, stake: 1000 });
    expect(['WON', 'LOST', 'TIE']).toContain(one('binary.settled', trader.id).trade.status);
    expect(one('account.frozen', fast.id)).toMatchObject({ status: 'FROZEN' });
    expect(one('aml.case.closed', fast.id)).toMatchObject({
      outcome: 'CLEARED',
      caseId: one('aml.case.opened', fast.id).caseId,
    });

    // The narrower endpoint: the withdrawal only.
    await receivedWithdrawal('/withdrawals-only', withdrawal);
    const narrow = receiver
      .at('/withdrawals-only')
      .filter((r) =>
        [kycUser.id, payer.id, trader.id, fast.id].includes(r.event.data.userId ?? r.event.data.trade?.userId),
      );
    expect(narrow.map((r) => r.eventType)).toEqual(['withdrawal.completed']);
    expect(narrow[0]!.eventId).toBe(byType('withdrawal.completed', payer.id)[0]!.eventId);

    // The deliveries log: one DELIVERED delivery per event and endpoint, one attempt with its status and latency.
    const event = byType('withdrawal.completed', payer.id)[0]!.eventId;
    const deliveries = await deliveriesOf(`eventId=${event}`);
    expect(deliveries.map((d) => d.url).sort()).toEqual([receiver.url('/all'), receiver.url('/withdrawals-only')]);
    for (const d of deliveries)
      expect(d).toMatchObject({
        status: 'DELIVERED',
        attempts: 1,
        eventType: 'withdrawal.completed',
        lastStatusCode: 200,
      });
    const detail = await http.get(`/admin/webhooks/deliveries/${deliveries[0].id}`, master.token);
    expect(detail.body.attemptLog).toEqual([
      expect.objectContaining({
        attempt: 1,
        statusCode: 200,
        succeeded: true,
        error: null,
        latencyMs: expect.any(Number),
      }),
    ]);
  });

  it('an event recorded in a transaction that rolls back is never sent', async () => {
    await register('/rollback', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    const user = await withdrawer();
    // More than the balance: the withdrawal's transaction fails and takes its event with it.
    const res = await http.post('/wallet/withdraw', { amount: '1000' }, user.token, {
      'idempotency-key': randomUUID(),
    });
    expect(res.status).toBe(422);
    const marker = await withdraw(user, '1'); // a later event that must arrive
    await receivedWithdrawal('/rollback', marker);
    expect(receiver.at('/rollback').filter((r) => r.event.data.userId === user.id)).toHaveLength(1);
  });

  it('a relay handing the same record over twice makes one delivery and one job (stable job id)', async () => {
    const endpoint = await register('/twice', { eventTypes: ['kyc.decided'], secret: SECRETS.s1 });
    const eventId = randomUUID();
    const record = {
      id: randomUUID(),
      topic: WEBHOOK_TOPIC,
      key: null,
      attempts: 0,
      createdAt: new Date(),
      payload: { id: eventId, type: 'kyc.decided', createdAt: new Date().toISOString(), data: { userId: 'twice' } },
    };
    const consume = webhookConsumer({ orm: ctx.orm, queue: ctx.webhooks });
    await Promise.all([consume(record), consume(record)]);
    await consume(record);
    await eventually(async () => receiver.at('/twice', eventId).length === 1, 20_000, 'the delivery');
    await consume(record); // after delivery: nothing new either
    const job = await ctx.webhooks.queue.getJob(deliveryJobId(eventId, endpoint.id));
    expect(await job!.getState()).toBe('completed');
    expect(await deliveriesOf(`eventId=${eventId}&endpointId=${endpoint.id}`)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.at('/twice', eventId)).toHaveLength(1);
  });
});

describe('secret rotation', () => {
  it('during the overlap both signatures are sent and either secret verifies; after it only the new one', async () => {
    const endpoint = await register('/rotating', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    const user = await withdrawer();

    const first = await receivedWithdrawal('/rotating', await withdraw(user));
    expect([first.signatures.length, first.validFor]).toEqual([1, ['s1']]);

    const rotated = await http.post(
      `/admin/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      { secret: SECRETS.s2 },
      master.token,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toBe(SECRETS.s2);
    // Default overlap: WEBHOOK_ROTATION_OVERLAP_SECONDS (24 h).
    const overlapEnds = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(Math.abs(overlapEnds - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);

    // The receiver still only knows s1: the second v1 keeps it working.
    const during = await receivedWithdrawal('/rotating', await withdraw(user));
    expect(during.signatures).toHaveLength(2);
    expect(during.validFor).toEqual(['s1', 's2']);
    // The integrator switches to s2: still accepted.
    receiver.route('/rotating', { accept: ['s2'] });
    const switched = await receivedWithdrawal('/rotating', await withdraw(user));
    expect(switched.validFor).toEqual(['s1', 's2']);

    // A rotation with no overlap: s3 alone signs. The receiver (s2 only) refuses with 401, the
    // delivery retries; once the integrator installs s3 the next attempt is delivered.
    const again = await http.post(
      `/admin/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      { secret: SECRETS.s3, previousSecretValidSeconds: 0 },
      master.token,
    );
    expect([again.status, again.body.previousSecretExpiresAt]).toEqual([200, null]);
    const tx = await withdraw(user);
    const refused = await receivedWithdrawal('/rotating', tx, 401);
    expect([refused.signatures.length, refused.validFor]).toEqual([1, ['s3']]);
    receiver.route('/rotating', { accept: ['s3'] });
    const accepted = await receivedWithdrawal('/rotating', tx, 200);
    expect(accepted.eventId).toBe(refused.eventId);
    const [delivery] = await deliveriesOf(`eventId=${accepted.eventId}&endpointId=${endpoint.id}`);
    const log = (await http.get(`/admin/webhooks/deliveries/${delivery.id}`, master.token)).body.attemptLog;
    expect(log.at(-1)).toMatchObject({ statusCode: 200, succeeded: true });
    expect(
      log.slice(0, -1).every((a: any) => a.statusCode === 401 && !a.succeeded && a.error === 'receiver answered 401'),
    ).toBe(true);
    const audit = await sql(`select action, after from audit_logs where target_id = ? order by seq`, [endpoint.id]);
    expect(audit.map((a) => a.action)).toEqual([
      'webhook.endpoint_registered',
      'webhook.secret_rotated',
      'webhook.secret_rotated',
    ]);
  });
});

describe('retries and redelivery', () => {
  it('a receiver down for a while: attempts fail and are logged, with growing delays, and it is delivered once it is back', async () => {
    const endpoint = await register('/flaky', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    const user = await withdrawer();
    await receiver.stop(); // connection refused from now on
    let tx: string;
    try {
      tx = await withdraw(user);
      await eventually(
        async () => {
          const rows = await sql(
            `select d.id, d.attempts, d.status, d.next_attempt_at from webhook_deliveries d
               join webhook_outbound_events e on e.id = d.event_id
              where e.body::jsonb->'data'->>'transactionId' = ?`,
            [tx],
          );
          return rows[0]?.attempts >= 3 && rows[0].status === 'RETRYING' && rows[0].next_attempt_at && rows[0];
        },
        20_000,
        'three failed attempts',
      );
    } finally {
      await receiver.start(); // back, on the same port
    }
    const got = await receivedWithdrawal('/flaky', tx);
    expect(receiver.at('/flaky', got.eventId)).toHaveLength(1);
    // The receiver has the event before the worker records its answer: wait for the record.
    const delivery = await eventually(
      async () =>
        (await deliveriesOf(`eventId=${got.eventId}&endpointId=${endpoint.id}`)).find((d) => d.status === 'DELIVERED'),
      10_000,
      'DELIVERED',
    );
    const log = (await http.get(`/admin/webhooks/deliveries/${delivery.id}`, master.token)).body.attemptLog as any[];
    expect(log.length).toBeGreaterThanOrEqual(4);
    const failed = log.slice(0, -1);
    for (const a of failed)
      expect(a).toMatchObject({ statusCode: null, succeeded: false, error: expect.stringMatching(/ECONNREFUSED/) });
    expect(log.at(-1)).toMatchObject({ statusCode: 200, succeeded: true, error: null });
    expect(log.map((a) => a.attempt)).toEqual(log.map((_, i) => i + 1));
    // Exponential: each wait at least the policy's delay (0.2 s, 0.4 s, 0.8 s, then 1 s).
    const starts = log.map((a) => Date.parse(a.startedAt));
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(Math.min(1000, 200 * 2 ** (i - 1)) - 50);
    }
  });

  it('an endpoint that never answers 2xx: FAILED after the last attempt of the window; redelivery after it is fixed delivers the same event', async () => {
    const endpoint = await register('/broken', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    receiver.route('/broken', { accept: ['s1'], status: 500 });
    const user = await withdrawer();
    const tx = await withdraw(user);
    const first = await receivedWithdrawal('/broken', tx, 500);
    const [running] = await deliveriesOf(`eventId=${first.eventId}&endpointId=${endpoint.id}`);
    // While its attempts are still running a delivery cannot be redelivered.
    expect((await http.post(`/admin/webhooks/deliveries/${running.id}/redeliver`, {}, master.token)).status).toBe(409);
    const failed = await eventually(
      async () =>
        (await deliveriesOf(`eventId=${first.eventId}&endpointId=${endpoint.id}`)).find((d) => d.status === 'FAILED'),
      40_000,
      'FAILED',
    );
    // Retries after 0.2 + 0.4 + 0.8 + 7 x 1 s = 8.4 s >= the 8 s window: 10 retries, 11 attempts.
    expect(failed).toMatchObject({ attempts: 11, lastStatusCode: 500, endpointId: endpoint.id });
    expect(receiver.at('/broken', first.eventId)).toHaveLength(11);

    // Unknown: 404; ADMIN: 403.
    expect((await http.post(`/admin/webhooks/deliveries/${randomUUID()}/redeliver`, {}, master.token)).status).toBe(
      404,
    );
    expect((await http.post(`/admin/webhooks/deliveries/${failed.id}/redeliver`, {}, admin.token)).status).toBe(403);

    receiver.route('/broken', { accept: ['s1'] });
    const redelivered = await http.post(`/admin/webhooks/deliveries/${failed.id}/redeliver`, {}, master.token);
    expect([redelivered.status, redelivered.body.status, redelivered.body.redeliveries]).toEqual([202, 'PENDING', 1]);
    const ok = await receivedWithdrawal('/broken', tx, 200);
    expect(ok.eventId).toBe(first.eventId);
    expect(ok.body).toBe(first.body); // the same bytes, signed anew
    const done = await eventually(
      async () =>
        (await deliveriesOf(`eventId=${first.eventId}&endpointId=${endpoint.id}`)).find(
          (d) => d.status === 'DELIVERED',
        ),
      10_000,
      'DELIVERED',
    );
    expect(done).toMatchObject({ attempts: 12, redeliveries: 1, lastStatusCode: 200 });

    // A delivered one can be redelivered too: the receiver gets the same event id again.
    expect((await http.post(`/admin/webhooks/deliveries/${failed.id}/redeliver`, {}, master.token)).status).toBe(202);
    await eventually(
      async () => receiver.at('/broken', first.eventId).filter((r) => r.status === 200).length === 2,
      10_000,
      'second copy',
    );
    await eventually(
      async () => (await deliveriesOf(`endpointId=${endpoint.id}&status=DELIVERED`)).some((d) => d.id === failed.id),
      10_000,
      'listed as DELIVERED again',
    );
    const audit = await sql(`select action from audit_logs where target_id = ? order by seq`, [failed.id]);
    expect(audit.map((a) => a.action)).toEqual(['webhook.redelivery_requested', 'webhook.redelivery_requested']);
  });

  it('a disabled endpoint gets no new deliveries', async () => {
    const endpoint = await register('/off', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    await register('/on', { eventTypes: ['withdrawal.completed'], secret: SECRETS.s1 });
    expect((await http.post(`/admin/webhooks/endpoints/${endpoint.id}/disable`, {}, master.token)).status).toBe(200);
    const user = await withdrawer();
    const tx = await withdraw(user);
    const got = await receivedWithdrawal('/on', tx); // the enabled one got it
    expect((await deliveriesOf(`eventId=${got.eventId}`)).map((d) => d.endpointId)).not.toContain(endpoint.id);
    expect(receiver.at('/off')).toHaveLength(0);
  });
});
