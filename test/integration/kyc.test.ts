import { Worker } from '@temporalio/worker';
import type { BullEmailQueue } from '../../src/features/notifications/email-queue';
import type { AppContext } from '../../src/main/context';
import { canUserWithdraw } from '../../src/features/wallet/account-state';
import { kycWorkflowId } from '../../src/features/kyc/cases';
import { kycStateQuery } from '../../src/features/kyc/contract';
import { createTestContext, startTestApi, startTestWorker, testWorkflowBundle } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { outboxDelivered } from '../helpers/outbox';
import { handledAfterSignal, historyShows, signalCount, signalsHandled } from '../helpers/workflow-history';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';
import { KYC_TEST_SECRETS, providerWebhook, startFakeKycProviders, type Verdict } from '../helpers/kyc-providers';

type Provider = 'SUMSUB' | 'ONFIDO' | 'VERIFF';

let providers: Awaited<ReturnType<typeof startFakeKycProviders>>;
let ctx: AppContext;

let http: HttpClient;
const recordedWorkflowIds: string[] = [];

const kycConfig = () => ({
  ...KYC_TEST_SECRETS,
  SUMSUB_BASE_URL: providers.url,
  ONFIDO_BASE_URL: providers.url,
  VERIFF_BASE_URL: providers.url,
});

beforeAll(async () => {
  providers = await startFakeKycProviders();
  ctx = await createTestContext(kycConfig());
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
});

afterAll(async () => {
  await ctx.shutdown.run('test done');
  await providers.close();
});

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);

const kycRow = async (userId: string) => (await sql('select * from kyc where user_id = ?', [userId]))[0];
const userRow = async (userId: string) => (await sql('select status, kyc_status from users where id = ?', [userId]))[0];
const auditActions = async (userId: string) =>
  (
    await sql(
      `select action, actor_type, actor_id from audit_logs where target_type = 'kyc' and target_id = ? order by id`,
      [userId],
    )
  ).map((r: any) => `${r.action}:${r.actor_type}`);

/** KYC email jobs enqueued for this user (no email worker runs here, so they stay in the queue). */
async function emailJobs(userEmail: string) {
  await outboxDelivered(ctx.orm);
  const queue = (ctx.email as BullEmailQueue).queue;
  const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
  return jobs.filter((j) => j.data.to === userEmail && j.data.template.startsWith('kyc-')).map((j) => j.data.template);
}

async function startKyc(user: TestUser, provider: string) {
  const res = await http.post('/kyc/start', { provider }, user.token);
  expect(res.status).toBe(202);
  const handle = ctx.temporal.workflow.getHandle(kycWorkflowId(user.id));
  recordedWorkflowIds.push(handle.workflowId);
  const providerId = await eventually(
    async () => (await kycRow(user.id))?.provider_id as string | undefined,
    20_000,
    'provider id',
  );
  return { res, handle, providerId };
}

function deliver(provider: string, hook: { body: string; headers: Record<string, string> }) {
  return http.call('POST', `/kyc/webhook/${provider.toLowerCase()}`, { raw: hook.body, headers: hook.headers });
}

const waitForStatus = (userId: string, status: string) =>
  eventually(async () => (await kycRow(userId))?.status === status, 20_000, `KYC ${status}`);

describe.each<Provider>(['SUMSUB', 'ONFIDO', 'VERIFF'])('%s happy paths', (provider) => {
  it.each<[Verdict, 'APPROVED' | 'REJECTED']>([
    ['APPROVED', 'APPROVED'],
    ['REJECTED', 'REJECTED'],
  ])('start -> signed %s webhook -> %s everywhere, one email, workflow completed', async (verdict, expected) => {
    const user = await registerUser(http, { fullName: 'Grace Hopper' });
    const { res, handle, providerId } = await startKyc(user, provider);
    expect(res.body).toMatchObject({ workflowId: `kyc-${user.id}`, status: 'PENDING' });
    const sent = providers.calls.filter((c) => c.provider === provider).map((c) => JSON.stringify(c.body));
    expect(sent.some((body) => body.includes(provider === 'VERIFF' ? user.id : user.email))).toBe(true);
    if (provider === 'SUMSUB') {
      // The user registered with alpha-2 DE; Sumsub gets ISO 3166-1 alpha-3.
      const applicant = providers.calls.find((c) => c.provider === 'SUMSUB' && c.body.externalUserId === user.id);
      expect(applicant?.body.fixedInfo.country).toBe('DEU');
    }

    const hook = await deliver(provider, providerWebhook(provider, { userId: user.id, providerId, verdict }));
    expect(hook.status).toBe(200);
    expect(hook.body.outcome).toBe('signalled');

    const result = await handle.result();
    expect(result).toMatchObject({ status: expected, decidedBy: { type: 'PROVIDER', id: provider } });
    expect(await kycRow(user.id)).toMatchObject({ status: expected, provider, provider_id: providerId });
    expect(await userRow(user.id)).toEqual({ status: 'ACTIVE', kyc_status: expected });
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', `kyc.${expected.toLowerCase()}:PROVIDER`]);
    expect(await emailJobs(user.email)).toEqual([expected === 'APPROVED' ? 'kyc-approved' : 'kyc-rejected']);
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const status = await http.get('/kyc/status', user.token);
    expect(status.body).toMatchObject({
      user: { id: user.id, kycStatus: expected },
      kyc: { status: expected, provider },
    });
  });
});

describe("the provider's verified birth date", () => {
  const birthDates = async (userId: string) =>
    (
      await sql(
        `select to_char(date_of_birth, 'YYYY-MM-DD') declared, to_char(verified_date_of_birth, 'YYYY-MM-DD') verified
           from users where id = ?`,
        [userId],
      )
    )[0];

  it("a Veriff approval stores the document's date beside the self-declared one", async () => {
    const user = await registerUser(http, { fullName: 'Ivan Petrovich Sidorov', dateOfBirth: '1990-01-01' });
    const { handle, providerId } = await startKyc(user, 'VERIFF');
    const hook = providerWebhook('VERIFF', {
      userId: user.id,
      providerId,
      verdict: 'APPROVED',
      dateOfBirth: '1961-04-12',
    });
    expect((await deliver('VERIFF', hook)).status).toBe(200);
    expect((await handle.result()).status).toBe('APPROVED');
    expect(await birthDates(user.id)).toEqual({ declared: '1990-01-01', verified: '1961-04-12' });
  });

  it('a decline, an approval without a person, and an admin approval verify no date', async () => {
    const declined = await registerUser(http, { dateOfBirth: '1990-01-01' });
    const first = await startKyc(declined, 'VERIFF');
    const decline = { userId: declined.id, providerId: first.providerId, verdict: 'REJECTED' as const };
    await deliver('VERIFF', providerWebhook('VERIFF', { ...decline, dateOfBirth: '1961-04-12' }));
    expect((await first.handle.result()).status).toBe('REJECTED');

    const noPerson = await registerUser(http, { dateOfBirth: '1990-01-01' });
    const second = await startKyc(noPerson, 'VERIFF');
    const approve = { userId: noPerson.id, providerId: second.providerId, verdict: 'APPROVED' as const };
    await deliver('VERIFF', providerWebhook('VERIFF', approve));
    expect((await second.handle.result()).status).toBe('APPROVED');

    const byAdmin = await registerUser(http, { dateOfBirth: '1990-01-01' });
    const third = await startKyc(byAdmin, 'LOCAL');
    const admin = await createStaff(ctx, 'ADMIN');
    expect((await http.put(`/kyc/admin/${byAdmin.id}/approve`, {}, admin.token)).status).toBe(200);
    expect((await third.handle.result()).status).toBe('APPROVED');

    for (const user of [declined, noPerson, byAdmin]) {
      expect(await birthDates(user.id)).toEqual({ declared: '1990-01-01', verified: null });
    }
  });
});

describe('admin decisions', () => {
  it('approve while pending -> 200 APPROVED; a second approve -> 409; a USER -> 403; own KYC -> 403', async () => {
    const user = await registerUser(http);
    const { handle } = await startKyc(user, 'LOCAL');
    const admin = await createStaff(ctx, 'ADMIN');

    const other = await registerUser(http);
    expect((await http.put(`/kyc/admin/${user.id}/approve`, {}, other.token)).status).toBe(403);
    expect((await http.put(`/kyc/admin/${admin.id}/approve`, {}, admin.token)).status).toBe(403);

    const pending = await http.get('/kyc/admin/pending?limit=100', admin.token);
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((i: any) => i.userId)).toContain(user.id);

    const approve = await http.put(`/kyc/admin/${user.id}/approve`, { notes: 'Documents verified' }, admin.token);
    expect(approve.status).toBe(200);
    expect(approve.body).toMatchObject({ status: 'APPROVED', decidedBy: { type: 'ADMIN', id: admin.id } });
    expect(await kycRow(user.id)).toMatchObject({
      status: 'APPROVED',
      reviewed_by: admin.id,
      notes: 'Documents verified',
    });
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', 'kyc.approved:ADMIN']);

    const again = await http.put(`/kyc/admin/${user.id}/approve`, {}, admin.token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
    await handle.result();
    expect(await emailJobs(user.email)).toEqual(['kyc-approved']);
  });

  it('reject needs a reason (400), then REJECTED with it', async () => {
    const user = await registerUser(http);
    await startKyc(user, 'LOCAL');
    const admin = await createStaff(ctx, 'MASTER');
    const noReason = await http.put(`/kyc/admin/${user.id}/reject`, {}, admin.token);
    expect(noReason.status).toBe(400);
    expect((await kycRow(user.id)).status).toBe('PENDING');
    const reject = await http.put(`/kyc/admin/${user.id}/reject`, { reason: 'Selfie does not match' }, admin.token);
    expect(reject.status).toBe(200);
    expect(await kycRow(user.id)).toMatchObject({ status: 'REJECTED', notes: 'Selfie does not match' });
    // At once, while the case's workflow may still be finishing: never a 202 with REJECTED.
    const again = await http.post('/kyc/start', { provider: 'LOCAL' }, user.token);
    expect([again.status, again.body.error?.code, again.body.error?.message]).toEqual([
      409,
      'INVALID_STATE',
      'KYC is already REJECTED',
    ]);
  });

  it('a second start while PENDING returns the same case, never a second workflow', async () => {
    const user = await registerUser(http);
    const { handle } = await startKyc(user, 'LOCAL');
    const { runId } = await handle.describe();
    const [a, b] = await Promise.all([
      http.post('/kyc/start', { provider: 'LOCAL' }, user.token),
      http.post('/kyc/start', {}, user.token),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.workflowId).toBe(`kyc-${user.id}`);
    expect((await handle.describe()).runId).toBe(runId);
    const runs = await ctx.temporal.workflow.count(`WorkflowId = "kyc-${user.id}"`);
    expect(runs.count).toBe(1);
  });
});

describe('webhook security and deduplication', () => {
  it('forged signature, wrong algorithm header, tampered body: 401 and nothing changes', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'SUMSUB');
    const good = providerWebhook('SUMSUB', { userId: user.id, providerId, verdict: 'APPROVED' });

    const forged = await deliver('SUMSUB', {
      body: good.body,
      headers: { ...good.headers, 'x-payload-digest': 'ab'.repeat(32) },
    });
    const wrongAlg = await deliver('SUMSUB', {
      body: good.body,
      headers: { ...good.headers, 'x-payload-digest-alg': 'HMAC_SHA1_HEX' },
    });
    const unknownAlg = await deliver('SUMSUB', {
      body: good.body,
      headers: { ...good.headers, 'x-payload-digest-alg': 'MD5' },
    });
    const flipped = user.id.replace(/.$/, (c) => (c === '0' ? '1' : '0')); // always a different byte
    const tampered = await deliver('SUMSUB', { body: good.body.replace(user.id, flipped), headers: good.headers });
    const onfidoForged = await deliver('ONFIDO', {
      body: '{"payload":{}}',
      headers: { 'x-sha2-signature': 'deadbeef' },
    });
    const veriffNoClient = await deliver('VERIFF', { body: '{}', headers: { 'x-hmac-signature': 'deadbeef' } });
    for (const res of [forged, wrongAlg, unknownAlg, tampered, onfidoForged, veriffNoClient]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect((await http.call('POST', '/kyc/webhook/acme', { raw: good.body, headers: good.headers })).status).toBe(404);

    const signedSha512 = providerWebhook('SUMSUB', {
      userId: user.id,
      providerId,
      verdict: 'APPROVED',
      alg: 'HMAC_SHA512_HEX',
    });
    expect((await kycRow(user.id)).status).toBe('PENDING');
    expect(await sql('select 1 from webhook_events where user_id = ?', [user.id])).toHaveLength(0);
    expect((await deliver('SUMSUB', signedSha512)).body.outcome).toBe('signalled');
    await waitForStatus(user.id, 'APPROVED');
    // Every refused delivery was answered before the valid one was sent: had any of them reached
    // the workflow, the closed run's history would hold its signal too.
    expect(signalCount(await signalsHandled(handle, 'providerResult', 1), 'providerResult')).toBe(1);
    expect(await sql('select outcome from webhook_events where user_id = ?', [user.id])).toEqual([
      { outcome: 'signalled' },
    ]);
  });

  it('the same valid webhook delivered 5 times changes state once', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'VERIFF');
    const hook = providerWebhook('VERIFF', { userId: user.id, providerId, verdict: 'APPROVED' });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await deliver('VERIFF', hook)).body.outcome);
    expect(outcomes[0]).toBe('signalled');
    expect(outcomes.slice(1)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    await handle.result();
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', 'kyc.approved:PROVIDER']);
    expect(await emailJobs(user.email)).toEqual(['kyc-approved']);
    expect(await sql('select outcome from webhook_events where user_id = ?', [user.id])).toEqual([
      { outcome: 'signalled' },
    ]);
  });

  it('an older Sumsub event arriving after a newer one is acknowledged without effect', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'SUMSUB');
    const now = Date.now();
    await deliver('SUMSUB', providerWebhook('SUMSUB', { userId: user.id, providerId, verdict: 'RETRY', at: now }));
    await eventually(async () => (await handle.query(kycStateQuery)).status === 'AWAITING_USER');
    // createdAtMs is a UTC date-time: the stored event time is the event's, not 1970.
    expect((await handle.query(kycStateQuery)).lastProviderEventAt).toBe(now);
    expect(new Date((await kycRow(user.id)).last_provider_event_at).getTime()).toBe(now);
    const stale = await deliver(
      'SUMSUB',
      providerWebhook('SUMSUB', { userId: user.id, providerId, verdict: 'APPROVED', at: now - 60_000 }),
    );
    expect(stale.status).toBe(200);
    await signalsHandled(handle, 'providerResult', 2); // the workflow has seen the stale event
    expect((await handle.query(kycStateQuery)).status).toBe('AWAITING_USER');
    expect((await kycRow(user.id)).status).toBe('PENDING');
    await handle.terminate('test cleanup');
  });
});

describe('provider statuses as the providers define them', () => {
  it('Veriff 9121 review keeps the case pending on the same attempt; the 9001 that follows approves', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'VERIFF');
    const reviewAt = Date.now();
    const review = await deliver(
      'VERIFF',
      providerWebhook('VERIFF', { userId: user.id, providerId, verdict: 'REVIEW', at: reviewAt }),
    );
    expect(review.body.outcome).toBe('signalled');
    await eventually(async () => (await handle.query(kycStateQuery)).lastProviderEventAt === reviewAt);
    expect(await handle.query(kycStateQuery)).toMatchObject({ status: 'PENDING', attempt: 1 });
    expect(await kycRow(user.id)).toMatchObject({ status: 'PENDING', awaiting_user: false, attempts: 1 });

    await deliver(
      'VERIFF',
      providerWebhook('VERIFF', { userId: user.id, providerId, verdict: 'APPROVED', at: reviewAt + 1000 }),
    );
    expect(await handle.result()).toMatchObject({ status: 'APPROVED', attempt: 1 });
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', 'kyc.approved:PROVIDER']);
  });

  it('Onfido error ends the run: the user is asked to resubmit at once, not after the provider deadline', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'ONFIDO');
    const hook = providerWebhook('ONFIDO', { userId: user.id, providerId, verdict: 'RETRY', onfidoStatus: 'error' });
    expect((await deliver('ONFIDO', hook)).body.outcome).toBe('signalled');
    await eventually(async () => (await kycRow(user.id)).awaiting_user === true, 20_000, 'awaiting user');
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', 'kyc.resubmission_requested:PROVIDER']);
    await handle.terminate('test cleanup');
  });

  it('Sumsub applicantWorkflowCompleted decides like applicantReviewed', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'SUMSUB');
    const hook = providerWebhook('SUMSUB', {
      userId: user.id,
      providerId,
      verdict: 'APPROVED',
      sumsubType: 'applicantWorkflowCompleted',
    });
    expect((await deliver('SUMSUB', hook)).body.outcome).toBe('signalled');
    expect(await handle.result()).toMatchObject({ status: 'APPROVED', decidedBy: { type: 'PROVIDER', id: 'SUMSUB' } });
  });
});

describe('resubmission', () => {
  it('RETRY -> user resubmits -> second webhook approves, in one workflow', async () => {
    const user = await registerUser(http);
    const { providerId: first, handle } = await startKyc(user, 'VERIFF');
    await deliver('VERIFF', providerWebhook('VERIFF', { userId: user.id, providerId: first, verdict: 'RETRY' }));
    await eventually(async () => (await kycRow(user.id)).awaiting_user === true, 20_000, 'awaiting user');

    const again = await http.post('/kyc/start', { provider: 'VERIFF' }, user.token);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ resubmitted: true, attempt: 2, status: 'PENDING' });
    const second = await eventually(async () => {
      const row = await kycRow(user.id);
      return row.attempts === 2 && row.provider_id && row.provider_id !== first
        ? (row.provider_id as string)
        : undefined;
    });
    // A late answer about the first session must not decide the second.
    await deliver('VERIFF', providerWebhook('VERIFF', { userId: user.id, providerId: first, verdict: 'REJECTED' }));
    await deliver('VERIFF', providerWebhook('VERIFF', { userId: user.id, providerId: second, verdict: 'APPROVED' }));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'APPROVED', attempt: 2 });
    expect(await auditActions(user.id)).toEqual([
      'kyc.started:USER',
      'kyc.resubmission_requested:PROVIDER',
      'kyc.resubmitted:USER',
      'kyc.approved:PROVIDER',
    ]);
  });

  it('refuses a 4th attempt: the third RETRY ends the case REJECTED and a new start is 409', async () => {
    const user = await registerUser(http);
    const { handle } = await startKyc(user, 'LOCAL');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const providerId = await eventually(async () => {
        const row = await kycRow(user.id);
        return row.attempts === attempt && !row.awaiting_user && row.provider_id
          ? (row.provider_id as string)
          : undefined;
      });
      await deliver(
        'LOCAL',
        providerWebhook('LOCAL', { userId: user.id, providerId, verdict: 'RETRY', at: Date.now() }),
      );
      if (attempt < 3) {
        await eventually(async () => (await kycRow(user.id)).awaiting_user === true);
        expect((await http.post('/kyc/start', {}, user.token)).status).toBe(202);
      }
    }
    expect(await handle.result()).toMatchObject({
      status: 'REJECTED',
      reason: 'resubmission limit reached',
      attempt: 3,
    });
    const fourth = await http.post('/kyc/start', {}, user.token);
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.message).toBe('KYC is already REJECTED');
  });
});

describe('deadlines (second-scale durations)', () => {
  let fast: AppContext;
  let fastHttp: HttpClient;
  beforeAll(async () => {
    fast = await createTestContext({ ...kycConfig(), KYC_PROVIDER_DEADLINE_MS: '1500', KYC_HARD_DEADLINE_MS: '5000' });
    await startTestWorker(fast);
    fastHttp = httpClient((await startTestApi(fast)).url);
  });
  afterAll(() => fast.shutdown.run('test done'));

  it('flags manual review after the provider deadline, then expires as REJECTED at the hard deadline', async () => {
    const user = await registerUser(fastHttp);
    expect((await fastHttp.post('/kyc/start', { provider: 'SUMSUB' }, user.token)).status).toBe(202);
    const handle = fast.temporal.workflow.getHandle(kycWorkflowId(user.id));
    recordedWorkflowIds.push(handle.workflowId);
    await eventually(async () => (await kycRow(user.id))?.needs_manual_review === true, 10_000, 'manual review flag');
    expect((await kycRow(user.id)).status).toBe('PENDING');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'REJECTED', reason: 'expired', decidedBy: { type: 'SYSTEM' } });
    expect(await userRow(user.id)).toMatchObject({ kyc_status: 'REJECTED' });
    expect(await auditActions(user.id)).toEqual([
      'kyc.started:USER',
      'kyc.flagged_for_review:SYSTEM',
      'kyc.rejected:SYSTEM',
    ]);
  });
});

describe('durability', () => {
  it('a worker restart in the middle of a waiting workflow loses nothing', async () => {
    const user = await registerUser(http);
    const { providerId, handle } = await startKyc(user, 'ONFIDO');
    const { taskQueues } = ctx;
    const redisPrefix = ctx.config.REDIS_PREFIX;
    await ctx.shutdown.run('restart'); // stops the worker, the API and every connection of this process
    // The webhook arrives while no worker runs: the signal waits in the workflow's history.
    ctx = await createTestContext({ ...kycConfig(), REDIS_PREFIX: redisPrefix }, taskQueues);
    http = httpClient((await startTestApi(ctx)).url);
    const hook = await deliver(
      'ONFIDO',
      providerWebhook('ONFIDO', { userId: user.id, providerId, verdict: 'APPROVED' }),
    );
    expect(hook.body.outcome).toBe('signalled');
    // The signal is in the run's history, and with no worker polling nothing has handled it.
    const events = await historyShows(
      ctx.temporal.workflow.getHandle(handle.workflowId),
      (ev) => signalCount(ev, 'providerResult') === 1 && ev,
      'the webhook signal recorded',
    );
    expect(handledAfterSignal(events, 'providerResult')).toBe(false);
    expect((await kycRow(user.id)).status).toBe('PENDING');
    await startTestWorker(ctx);
    const result = await ctx.temporal.workflow.getHandle(handle.workflowId).result();
    expect(result.status).toBe('APPROVED');
    expect(await auditActions(user.id)).toEqual(['kyc.started:USER', 'kyc.approved:PROVIDER']);
    expect(await emailJobs(user.email)).toEqual(['kyc-approved']);
  });
});

describe('withdrawal eligibility', () => {
  it('canUserWithdraw is true only for APPROVED + ACTIVE with an unlocked wallet', async () => {
    const em = () => ctx.orm.em.fork();
    const user = await registerUser(http);
    expect(await canUserWithdraw(em(), user.id)).toBe(false); // NOT_STARTED
    await startKyc(user, 'LOCAL');
    expect(await canUserWithdraw(em(), user.id)).toBe(false); // PENDING
    const admin = await createStaff(ctx);
    expect((await http.put(`/kyc/admin/${user.id}/approve`, {}, admin.token)).status).toBe(200);
    expect(await canUserWithdraw(em(), user.id)).toBe(true);
    await sql(`update users set status = 'FROZEN' where id = ?`, [user.id]);
    expect(await canUserWithdraw(em(), user.id)).toBe(false);
    await sql(`update users set status = 'ACTIVE' where id = ?`, [user.id]);
    await sql(`update wallets set locked = true where user_id = ?`, [user.id]);
    expect(await canUserWithdraw(em(), user.id)).toBe(false);
  });
});

describe('replay', () => {
  it('replays every history recorded above without non-determinism', async () => {
    const closed = [];
    for (const id of recordedWorkflowIds) {
      const h = ctx.temporal.workflow.getHandle(id);
      const { status } = await h.describe();
      if (status.name !== 'RUNNING') closed.push({ workflowId: h.workflowId, history: await h.fetchHistory() });
    }
    expect(closed.length).toBeGreaterThanOrEqual(10);
    const results = Worker.runReplayHistories({ workflowBundle: await testWorkflowBundle() }, closed);
    let replayed = 0;
    for await (const r of results) {
      expect(r.error).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(closed.length);
  });
});
