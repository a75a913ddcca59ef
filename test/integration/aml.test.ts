import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { AppContext } from '../../src/main/context';
import type { BullEmailQueue } from '../../src/features/notifications/email-queue';
import { amlWorkflowId } from '../../src/features/aml/contract';
import { amlCaseQuery } from '../../src/features/aml/contract';
import { createTestContext, startTestApi, startTestWorker, testWorkflowBundle } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { outboxDelivered } from '../helpers/outbox';
import { providerWebhook } from '../helpers/kyc-providers';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

let ctx: AppContext;
let http: HttpClient;
let admin: TestUser;
let secondAdmin: TestUser;
const cases: string[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ AML_REMINDER_INTERVAL_MS: '1500' });
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
  admin = await createStaff(ctx, 'ADMIN');
  secondAdmin = await createStaff(ctx, 'MASTER');
});
afterAll(() => ctx.shutdown.run('test done'));

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const accountOf = async (userId: string) =>
  (await sql('select u.status, w.locked from users u join wallets w on w.user_id = u.id where u.id = ?', [userId]))[0];
const deposit = (user: TestUser, amount = '10') =>
  http.post('/wallet/deposit', { amount }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
const emailTemplates = async (to: string) =>
  (
    await (ctx.email as BullEmailQueue).queue.getJobs([
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
      'prioritized',
    ])
  )
    .filter((j) => j.data.to === to)
    .map((j) => j.data.template)
    .sort();

/** KYC through the LOCAL provider, whose approving webhook reports the document's birth date. */
async function approveKycWithDocumentBirthDate(user: TestUser, dateOfBirth: string): Promise<void> {
  expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
  const providerId = await eventually(
    async () => (await sql(`select provider_id from kyc where user_id = ?`, [user.id]))[0]?.provider_id as string,
    20_000,
    'provider id',
  );
  const hook = providerWebhook('LOCAL', { userId: user.id, providerId, verdict: 'APPROVED', dateOfBirth });
  const res = await http.call('POST', '/kyc/webhook/local', { raw: hook.body, headers: hook.headers });
  expect(res.status).toBe(200);
  await eventually(
    async () => (await sql(`select kyc_status from users where id = ?`, [user.id]))[0].kyc_status === 'APPROVED',
    20_000,
    'KYC approved',
  );
}

async function frozenByVelocity(): Promise<TestUser> {
  const user = await registerUser(http);
  for (let i = 0; i < 11; i++) expect((await deposit(user)).status).toBe(201);
  cases.push(amlWorkflowId(user.id));
  await eventually(async () => (await accountOf(user.id)).status === 'FROZEN', 20_000, 'freeze');
  // The freeze commits with the movement; the case workflow follows through the outbox.
  await outboxDelivered(ctx.orm);
  return user;
}

describe('velocity freeze', () => {
  let user: TestUser;

  it('11 deposits in one minute: FROZEN, wallet locked, audit rows, one email, a running aml-freeze workflow; the 12th is 403', async () => {
    user = await frozenByVelocity();
    expect(await accountOf(user.id)).toEqual({ status: 'FROZEN', locked: true });
    const audit = await sql(
      `select action, actor_type from audit_logs where target_id = ? and action in ('user.frozen', 'wallet.locked')`,
      [user.id],
    );
    expect(audit.map((a) => a.action).sort()).toEqual(['user.frozen', 'wallet.locked']);
    const handle = ctx.temporal.workflow.getHandle(amlWorkflowId(user.id));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await eventually(async () => (await emailTemplates(user.email)).includes('account-frozen'));
    expect((await emailTemplates(user.email)).filter((t) => t === 'account-frozen')).toHaveLength(1);
    const checks = await sql(
      `select check_type, result, severity from aml_checks where user_id = ? and result <> 'PASS'`,
      [user.id],
    );
    expect(checks).toEqual([{ check_type: 'VELOCITY', result: 'FAIL', severity: 'CRITICAL' }]);

    const twelfth = await deposit(user);
    expect([twelfth.status, twelfth.body.error.code]).toEqual([403, 'ACCOUNT_FROZEN']);
    const spot = await http.post(
      '/trades',
      { symbol: 'BTCUSD', side: 'BUY', quantity: '0.01', price: '43000' },
      user.token,
    );
    expect(spot.status).toBe(403);
    expect(Number((await sql(`select count(*) n from ledger_entries where user_id = ?`, [user.id]))[0].n)).toBe(11);
  });

  it('a second critical finding while frozen joins the same workflow', async () => {
    const handle = ctx.temporal.workflow.getHandle(amlWorkflowId(user.id));
    const { runId } = await handle.describe();
    await sql(`update users set country = 'KP' where id = ?`, [user.id]);
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    expect(run.status).toBe(200);
    expect(run.body.freezeRequested).toBe(true);
    expect(run.body.saved.map((c: any) => c.checkType)).toEqual(['COUNTRY']);
    await eventually(async () => (await handle.query(amlCaseQuery)).findings.length === 2);
    expect((await handle.describe()).runId).toBe(runId);
    expect((await ctx.temporal.workflow.count(`WorkflowId = "${amlWorkflowId(user.id)}"`)).count).toBe(1);
    const listed = await http.get('/aml/admin/cases', admin.token);
    expect(listed.body.items.map((c: any) => c.userId)).toContain(user.id);
  });

  it('reminds admins while no decision comes', async () => {
    const handle = ctx.temporal.workflow.getHandle(amlWorkflowId(user.id));
    await eventually(async () => (await handle.query(amlCaseQuery)).remindersSent >= 1, 10_000, 'a reminder');
  });

  it('unfreeze: one approval stays frozen, the same admin twice is 409, a second admin unfreezes', async () => {
    const path = `/aml/admin/users/${user.id}/decision`;
    expect((await http.put(path, { decision: 'UNFREEZE' }, user.token)).status).toBe(403);
    const first = await http.put(path, { decision: 'UNFREEZE', notes: 'velocity explained' }, admin.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'FROZEN', approvals: [admin.id] });
    expect(await accountOf(user.id)).toEqual({ status: 'FROZEN', locked: true });

    const twice = await http.put(path, { decision: 'UNFREEZE' }, admin.token);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'INVALID_STATE']);

    const second = await http.put(path, { decision: 'UNFREEZE' }, secondAdmin.token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'UNFROZEN', approvals: [admin.id, secondAdmin.id] });
    expect(await accountOf(user.id)).toEqual({ status: 'ACTIVE', locked: false });
    const audit = await sql(
      `select action from audit_logs where target_id = ? and action in ('user.unfrozen', 'wallet.unlocked')`,
      [user.id],
    );
    expect(audit).toHaveLength(2);
    await eventually(async () => (await emailTemplates(user.email)).includes('account-unfrozen'));
    const result = await ctx.temporal.workflow.getHandle(amlWorkflowId(user.id)).result();
    expect(result.status).toBe('UNFROZEN');
    const late = await http.put(path, { decision: 'UNFREEZE' }, admin.token);
    expect(late.status).toBe(404);
  });
});

describe('other decisions and findings', () => {
  it('KEEP_FROZEN closes the case with the account frozen (a user from a banned country)', async () => {
    const user = await registerUser(http, { country: 'IR' });
    expect((await deposit(user)).status).toBe(201);
    cases.push(amlWorkflowId(user.id));
    await eventually(async () => (await accountOf(user.id)).status === 'FROZEN', 20_000, 'freeze');
    // The freeze commits with the movement; the case workflow follows through the outbox.
    await outboxDelivered(ctx.orm);
    const res = await http.put(
      `/aml/admin/users/${user.id}/decision`,
      { decision: 'KEEP_FROZEN', notes: 'sanctioned jurisdiction' },
      admin.token,
    );
    expect(res.status).toBe(200);
    const result = await ctx.temporal.workflow.getHandle(amlWorkflowId(user.id)).result();
    expect(result.status).toBe('CLOSED_FROZEN');
    expect(await accountOf(user.id)).toEqual({ status: 'FROZEN', locked: true });
  });

  it('a strong sanctions match found by an admin run freezes, with the matched entry in metadata', async () => {
    const user = await registerUser(http, { fullName: 'Sidorov Ivan Petróvich', country: 'CY' });
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    cases.push(amlWorkflowId(user.id));
    const sanctions = run.body.saved.find((c: any) => c.checkType === 'SANCTIONS');
    expect(sanctions).toMatchObject({
      result: 'FAIL',
      severity: 'CRITICAL',
      metadata: { matchedEntry: { id: 'test-sdn-0001' } },
    });
    await eventually(async () => (await accountOf(user.id)).status === 'FROZEN', 20_000, 'freeze');
    // The freeze commits with the movement; the case workflow follows through the outbox.
    await outboxDelivered(ctx.orm);
  });

  it('a self-declared birth date does not talk a strong match down: FAIL CRITICAL and frozen', async () => {
    const user = await registerUser(http, { fullName: 'Ivan Petrovich Sidorov', dateOfBirth: '1990-01-01' });
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    cases.push(amlWorkflowId(user.id));
    expect(run.body.saved.find((c: any) => c.checkType === 'SANCTIONS')).toMatchObject({
      result: 'FAIL',
      severity: 'CRITICAL',
    });
    await eventually(async () => (await accountOf(user.id)).status === 'FROZEN', 20_000, 'freeze');
    const withdrawal = await http.post('/wallet/withdraw', { amount: '1' }, user.token, {
      'idempotency-key': `wd-${randomUUID()}`,
    });
    expect(withdrawal.status).toBe(403);
  });

  it('a different verified birth date: REVIEW HIGH, withdrawals held until an admin resolves the check', async () => {
    const user = await registerUser(http, { fullName: 'Ivan Petrovich Sidorov', dateOfBirth: '1990-01-01' });
    await approveKycWithDocumentBirthDate(user, '1990-01-01');
    expect((await deposit(user, '200')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    const history = await http.get(`/aml/admin/users/${user.id}/checks`, admin.token);
    const check = history.body.items.find((c: any) => c.checkType === 'SANCTIONS');
    expect(check).toMatchObject({ result: 'REVIEW', severity: 'HIGH', metadata: { holdWithdrawals: true } });
    expect(run.body.freezeRequested).toBe(false);
    const withdraw = () =>
      http.post('/wallet/withdraw', { amount: '100' }, user.token, { 'idempotency-key': `wd-${randomUUID()}` });
    const held = await withdraw();
    expect(held.status).toBe(403);
    expect(held.body.error.code).toBe('COMPLIANCE_HOLD');

    expect(
      (await http.put(`/aml/admin/checks/${check.id}/resolve`, { notes: 'other person' }, admin.token)).status,
    ).toBe(200);
    expect((await withdraw()).status).toBe(201);
    // The withdrawal's own AML run finds the same entry again; the admin's decision stands.
    await outboxDelivered(ctx.orm);
    expect((await withdraw()).status).toBe(201);
  });

  it('a deposit over the daily limit is REVIEW HIGH without a freeze; resolving it keeps who and when', async () => {
    const user = await registerUser(http);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    // The AML run follows the deposit through the outbox.
    await outboxDelivered(ctx.orm);
    const list = await http.get(`/aml/admin/checks?unresolved=true&severity=HIGH&limit=100`, admin.token);
    const check = list.body.items.find((c: any) => c.userId === user.id);
    expect(check).toMatchObject({ checkType: 'DEPOSIT_LIMIT', result: 'REVIEW', severity: 'HIGH', resolvedBy: null });
    expect(await accountOf(user.id)).toEqual({ status: 'ACTIVE', locked: false });

    const resolved = await http.put(
      `/aml/admin/checks/${check.id}/resolve`,
      { notes: 'salary, documented' },
      admin.token,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolvedBy).toBe(admin.id);
    expect(Date.parse(resolved.body.resolvedAt)).toBeGreaterThan(Date.now() - 60_000);
    const after = await http.get(`/aml/admin/checks?unresolved=true&limit=100`, admin.token);
    expect(after.body.items.map((c: any) => c.id)).not.toContain(check.id);
    const history = await http.get(`/aml/admin/users/${user.id}/checks`, admin.token);
    expect(history.body.items.find((c: any) => c.id === check.id)).toMatchObject({ resolvedBy: admin.id });
    expect((await http.put(`/aml/admin/checks/${check.id}/resolve`, { notes: 'again' }, admin.token)).status).toBe(409);
    expect((await http.put(`/aml/admin/checks/${check.id}/resolve`, {}, admin.token)).status).toBe(400);
  });

  it('a clean account gets one PASS summary row per run', async () => {
    const user = await registerUser(http);
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    expect(run.body.saved).toEqual([expect.objectContaining({ checkType: 'SUMMARY', result: 'PASS' })]);
    expect(run.body.freezeRequested).toBe(false);
  });

  it('refuses USERs on every AML admin route', async () => {
    const user = await registerUser(http);
    for (const [method, path] of [
      ['GET', '/aml/admin/checks'],
      ['GET', '/aml/admin/cases'],
      ['POST', `/aml/admin/users/${user.id}/run`],
    ] as const) {
      expect(
        (await http.call(method, path, { token: user.token, body: method === 'POST' ? {} : undefined })).status,
      ).toBe(403);
    }
  });
});

describe('replay', () => {
  it('replays the amlFreeze histories without non-determinism', async () => {
    const histories = [];
    for (const id of cases) {
      const handle = ctx.temporal.workflow.getHandle(id);
      histories.push({ workflowId: id, history: await handle.fetchHistory() });
    }
    expect(histories.length).toBe(4);
    let n = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: await testWorkflowBundle() }, histories)) {
      expect(r.error).toBeUndefined();
      n++;
    }
    expect(n).toBe(4);
  });
});
