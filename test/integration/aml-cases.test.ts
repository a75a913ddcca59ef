import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { amlCaseQuery, amlWorkflowId } from '../../src/features/aml/contract';
import { startOutboxRelay } from '../../src/main/outbox';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { outboxDelivered } from '../helpers/outbox';
import { providerWebhook } from '../helpers/kyc-providers';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

// AML cases as records, read back the way a compliance officer would: the case list and page,
// assignment and notes, the outcome ladder's hold, rule snoozes and the compliance timeline. The
// freeze workflow runs on the real worker and Temporal dev server.
let ctx: AppContext;
let http: HttpClient;
let admin: TestUser;
let master: TestUser;
const TEMPORAL_UI = 'http://temporal-ui.test:8233';

beforeAll(async () => {
  ctx = await createTestContext({ TEMPORAL_UI_URL: TEMPORAL_UI });
  await startTestWorker(ctx);
  http = httpClient((await startTestApi(ctx)).url);
  admin = await createStaff(ctx, 'ADMIN');
  master = await createStaff(ctx, 'MASTER');
});
afterAll(() => ctx.shutdown.run('test done'));

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const statusOf = async (userId: string) => (await sql('select status from users where id = ?', [userId]))[0].status;
const deposit = (user: TestUser, amount = '1') =>
  http.post('/wallet/deposit', { amount }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
const withdraw = (user: TestUser, amount = '1') =>
  http.post('/wallet/withdraw', { amount }, user.token, { 'idempotency-key': `wd-${randomUUID()}` });
const casesOf = async (userId: string, extra = '') => {
  const res = await http.get(`/aml/admin/cases?userId=${userId}${extra}`, admin.token);
  expect(res.status).toBe(200);
  return res.body as { items: any[]; total: number };
};

async function frozenByVelocity(): Promise<TestUser> {
  const user = await registerUser(http);
  for (let i = 0; i < 11; i++) expect((await deposit(user)).status).toBe(201);
  await eventually(async () => (await statusOf(user.id)) === 'FROZEN', 20_000, 'freeze');
  await outboxDelivered(ctx.orm);
  // The freeze workflow links the case to itself through its first activity.
  await eventually(async () => (await casesOf(user.id)).items[0]?.workflowId != null, 20_000, 'case linked');
  return user;
}

describe('a velocity freeze as a case record', () => {
  let user: TestUser;
  let caseId: string;
  beforeAll(async () => {
    user = await frozenByVelocity();
  });

  it('lists one open case with the user email, decline, the rule once and the workflow id', async () => {
    const { items, total } = await casesOf(user.id);
    expect(total).toBe(1);
    const c = items[0];
    caseId = c.id;
    expect(c).toMatchObject({
      userId: user.id,
      email: user.email,
      status: 'OPEN',
      highestOutcome: 'decline',
      workflowId: `aml-freeze-${user.id}`,
      findingSummary: 'VELOCITY x1',
      assignee: null,
    });
    expect(Date.now() - Date.parse(c.openedAt)).toBeLessThan(60_000);
  });

  it('a second critical rule joins the same case: one row per rule, never a second open case', async () => {
    await sql(`update users set country = 'KP' where id = ?`, [user.id]);
    expect((await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token)).status).toBe(200);
    const { items, total } = await casesOf(user.id);
    expect(total).toBe(1);
    expect(items[0].id).toBe(caseId);
    expect(items[0].findings.map((f: any) => [f.rule, f.count])).toEqual([
      ['VELOCITY', 1],
      ['COUNTRY', 1],
    ]);
    await expect(
      sql(`insert into aml_cases (user_id, highest_outcome) values (?, 'review')`, [user.id]),
    ).rejects.toMatchObject({ code: '23505' });
    const byRule = await http.get(`/aml/admin/cases?rule=COUNTRY&status=OPEN&limit=100`, admin.token);
    expect(byRule.body.items.map((c: any) => c.id)).toContain(caseId);
    const otherRule = await http.get(`/aml/admin/cases?rule=TRADE_SIZE&userId=${user.id}`, admin.token);
    expect(otherRule.body).toMatchObject({ items: [], total: 0 });
  });

  it('assignment and notes: bad input is a 4xx that changes nothing; then the case is INVESTIGATING, audited', async () => {
    const assign = (body: unknown, token = admin.token) => http.put(`/aml/admin/cases/${caseId}/assignee`, body, token);
    expect((await assign({ assigneeId: 'not-a-uuid' })).status).toBe(400);
    expect((await assign({ assigneeId: master.id, extra: 1 })).status).toBe(400);
    const toUser = await assign({ assigneeId: user.id });
    expect([toUser.status, toUser.body.error.code]).toEqual([422, 'UNPROCESSABLE']);
    expect((await assign({ assigneeId: master.id }, user.token)).status).toBe(403);
    expect(
      (await http.put(`/aml/admin/cases/${randomUUID()}/assignee`, { assigneeId: master.id }, admin.token)).status,
    ).toBe(404);
    expect((await casesOf(user.id)).items[0]).toMatchObject({ status: 'OPEN', assignee: null });

    const ok = await assign({ assigneeId: master.id });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'INVESTIGATING', assignee: { id: master.id, email: master.email } });
    const mine = await http.get(`/aml/admin/cases?assignee=${master.id}&limit=100`, admin.token);
    expect(mine.body.items.map((c: any) => c.id)).toContain(caseId);

    expect((await http.post(`/aml/admin/cases/${caseId}/notes`, { note: '   ' }, admin.token)).status).toBe(400);
    const note = await http.post(`/aml/admin/cases/${caseId}/notes`, { note: 'called the user' }, admin.token);
    expect(note.status).toBe(201);
    const audited = await sql(
      `select action, actor_id from audit_logs where target_type = 'aml_case' and target_id = ? order by id`,
      [caseId],
    );
    expect(audited).toEqual([
      { action: 'aml.case_assigned', actor_id: admin.id },
      { action: 'aml.case_note', actor_id: admin.id },
    ]);
  });

  it('two admins unfreeze: the case closes CLEARED with both decisions and the whole story in its timeline', async () => {
    const path = `/aml/admin/users/${user.id}/decision`;
    expect((await http.put(path, { decision: 'UNFREEZE', notes: 'explained' }, admin.token)).status).toBe(200);
    expect((await http.put(path, { decision: 'UNFREEZE' }, master.token)).status).toBe(200);
    await eventually(async () => (await casesOf(user.id)).items[0].status === 'CLOSED', 20_000, 'case closed');
    const page = await http.get(`/aml/admin/cases/${caseId}`, admin.token);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ status: 'CLOSED', outcome: 'CLEARED', workflowId: `aml-freeze-${user.id}` });
    expect(page.body.decisions.map((d: any) => [d.actor.email, d.data.decision])).toEqual([
      [admin.email, 'UNFREEZE'],
      [master.email, 'UNFREEZE'],
    ]);
    expect(page.body.timeline.map((e: any) => e.kind)).toEqual([
      'OPENED',
      'FINDING_ADDED',
      'FROZEN',
      'FINDING_ADDED',
      'ASSIGNED',
      'NOTE',
      'DECISION',
      'DECISION',
      'CLOSED',
    ]);
    expect(page.body.timeline.find((e: any) => e.kind === 'NOTE')).toMatchObject({
      actor: { type: 'ADMIN', id: admin.id, email: admin.email },
      reason: 'called the user',
    });
    expect((await casesOf(user.id, '&status=OPEN')).total).toBe(0);
    expect((await casesOf(user.id, '&status=CLOSED')).total).toBe(1);
  });

  it('the compliance timeline tells the findings, the freeze, the case and the decisions in time order, with who and the workflow link', async () => {
    const res = await http.get(`/admin/users/${user.id}/timeline`, admin.token);
    expect(res.status).toBe(200);
    const items: any[] = res.body.items;
    const times = items.map((i) => Date.parse(i.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const actions = items.map((i) => i.action);
    for (const a of [
      'aml.finding.velocity',
      'user.frozen',
      'aml.case.opened',
      'aml.case.frozen',
      'aml.case.note',
      'aml.case.decision',
      'user.unfrozen',
      'aml.case.closed',
    ]) {
      expect(actions).toContain(a);
    }
    expect(actions.indexOf('user.frozen')).toBeLessThan(actions.indexOf('user.unfrozen'));
    const decisions = items.filter((i) => i.category === 'decision');
    expect(decisions.map((d) => d.actor.email)).toEqual([admin.email, master.email]);
    const unfrozen = items.find((i) => i.action === 'user.unfrozen');
    expect(unfrozen.actor.emails).toEqual([admin.email, master.email]);
    const { runId } = await ctx.temporal.workflow.getHandle(amlWorkflowId(user.id)).describe();
    expect(items.find((i) => i.action === 'aml.case.closed').workflowUrl).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/aml-freeze-${user.id}/${runId}/history`,
    );
    expect((await http.get(`/admin/users/${user.id}/timeline`, user.token)).status).toBe(403);
    expect((await http.get(`/admin/users/${randomUUID()}/timeline`, admin.token)).status).toBe(404);
    expect((await http.get(`/admin/users/nope/timeline`, admin.token)).status).toBe(400);
  });
});

/** KYC through the LOCAL provider, whose approving webhook reports the document's birth date. */
async function approveKycWithDocumentBirthDate(user: TestUser, dateOfBirth: string): Promise<void> {
  expect((await http.post('/kyc/start', { provider: 'LOCAL' }, user.token)).status).toBe(202);
  const providerId = await eventually(
    async () => (await sql(`select provider_id from kyc where user_id = ?`, [user.id]))[0]?.provider_id as string,
    20_000,
    'provider id',
  );
  const hook = providerWebhook('LOCAL', { userId: user.id, providerId, verdict: 'APPROVED', dateOfBirth });
  expect((await http.call('POST', '/kyc/webhook/local', { raw: hook.body, headers: hook.headers })).status).toBe(200);
  await eventually(
    async () => (await sql(`select kyc_status from users where id = ?`, [user.id]))[0].kyc_status === 'APPROVED',
    20_000,
    'KYC approved',
  );
}

describe('the outcome ladder', () => {
  it('block_and_review holds withdrawals and trading with COMPLIANCE_HOLD until an admin clears the case', async () => {
    // A strong name match on the sanctions list told apart only by the verified birth date.
    const user = await registerUser(http, { fullName: 'Ivan Petrovich Sidorov', dateOfBirth: '1990-01-01' });
    await approveKycWithDocumentBirthDate(user, '1990-01-01');
    expect((await deposit(user, '200')).status).toBe(201);
    const held = await withdraw(user, '10');
    expect([held.status, held.body.error.code]).toEqual([403, 'COMPLIANCE_HOLD']);
    const trade = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
      user.token,
    );
    expect([trade.status, trade.body.error?.code]).toEqual([403, 'COMPLIANCE_HOLD']);
    const spot = () =>
      http.post('/trades', { symbol: 'BTCUSD', side: 'BUY', quantity: '0.001', price: '43000' }, user.token);
    const heldSpot = await spot();
    expect([heldSpot.status, heldSpot.body.error?.code]).toEqual([403, 'COMPLIANCE_HOLD']);
    expect(await sql(`select id from trades where user_id = ?`, [user.id])).toEqual([]);
    expect(await statusOf(user.id)).toBe('ACTIVE');

    const { items } = await casesOf(user.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'OPEN', highestOutcome: 'block_and_review', workflowId: null });
    expect(items[0].findings.map((f: any) => [f.rule, f.outcome])).toEqual([['SANCTIONS', 'block_and_review']]);

    const decide = (body: unknown) => http.post(`/aml/admin/cases/${items[0].id}/decision`, body, admin.token);
    expect((await decide({ decision: 'UNFREEZE', reason: 'x' })).status).toBe(400);
    expect((await decide({ decision: 'CLEARED' })).status).toBe(400);
    expect((await withdraw(user, '10')).status).toBe(403);
    const cleared = await decide({ decision: 'CLEARED', reason: 'a different person: birth dates differ' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ status: 'CLOSED', outcome: 'CLEARED', closedBy: `admin:${admin.id}` });
    expect((await withdraw(user, '10')).status).toBe(201);
    expect((await spot()).status).toBe(201);
    expect((await decide({ decision: 'CLEARED', reason: 'again' })).status).toBe(409);

    // The timeline names the provider for the KYC decision and the admin for the clearance.
    const timeline = (await http.get(`/admin/users/${user.id}/timeline`, admin.token)).body.items as any[];
    const kycApproved = timeline.find((i) => i.action === 'kyc.approved');
    expect(kycApproved).toMatchObject({
      category: 'kyc',
      actor: { type: 'PROVIDER', id: 'LOCAL' },
      workflowId: `kyc-${user.id}`,
      workflowUrl: `${TEMPORAL_UI}/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="kyc-${user.id}"`)}`,
    });
    expect(timeline.find((i) => i.action === 'kyc.started')).toMatchObject({ actor: { type: 'USER', id: user.id } });
    const actions = timeline.map((i) => i.action);
    expect(actions.indexOf('kyc.approved')).toBeLessThan(actions.indexOf('aml.finding.sanctions'));
    expect(timeline.find((i) => i.category === 'decision')).toMatchObject({
      actor: { type: 'ADMIN', id: admin.id, email: admin.email },
      reason: 'a different person: birth dates differ',
      details: { decision: 'CLEARED' },
    });
  });

  it('review opens a case and blocks nothing; ESCALATED closes it and freezes the account through the freeze workflow', async () => {
    const user = await registerUser(http);
    await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    const { items } = await casesOf(user.id);
    expect(items[0]).toMatchObject({ status: 'OPEN', highestOutcome: 'review', findingSummary: 'DEPOSIT_LIMIT x1' });
    expect((await withdraw(user, '10')).status).toBe(201);

    const res = await http.post(
      `/aml/admin/cases/${items[0].id}/decision`,
      { decision: 'ESCALATED', reason: 'source of funds not shown' },
      admin.token,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CLOSED', outcome: 'ESCALATED' });
    expect(await statusOf(user.id)).toBe('FROZEN');
    expect((await withdraw(user, '10')).body.error.code).toBe('ACCOUNT_FROZEN');
    await outboxDelivered(ctx.orm);
    await eventually(
      async () => (await casesOf(user.id, '&status=OPEN')).items[0]?.workflowId != null,
      20_000,
      'freeze case',
    );
    const after = await casesOf(user.id);
    expect(after.total).toBe(2);
    expect(after.items[0]).toMatchObject({
      status: 'OPEN',
      highestOutcome: 'decline',
      workflowId: `aml-freeze-${user.id}`,
    });
    // Close the freeze case so the workflow does not outlive the test.
    const keep = await http.put(
      `/aml/admin/users/${user.id}/decision`,
      { decision: 'KEEP_FROZEN', notes: 'done' },
      admin.token,
    );
    expect(keep.status).toBe(200);
    await eventually(async () => (await casesOf(user.id, '&status=OPEN')).total === 0, 20_000, 'closed');
    expect((await casesOf(user.id, '&status=CLOSED')).items.map((c: any) => c.outcome)).toEqual([
      'KEEP_FROZEN',
      'ESCALATED',
    ]);
  });
});

describe('one open case per user', () => {
  it('eight concurrent runs that find a review-level rule with no case open open one case, the rule counted per saved finding', async () => {
    const user = await registerUser(http);
    await sql(`update users set country = 'DE' where id = ?`, [user.id]);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    // Clearing the case closes it and resolves its findings: the next runs find the rule anew.
    const first = (await casesOf(user.id)).items[0];
    const cleared = await http.post(
      `/aml/admin/cases/${first.id}/decision`,
      { decision: 'CLEARED', reason: 'known payroll deposit' },
      admin.token,
    );
    expect(cleared.status).toBe(200);
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token)),
    );
    expect(runs.map((r) => r.status)).toEqual(Array(8).fill(200));
    const saved = runs.flatMap((r) => r.body.saved).filter((c: any) => c.checkType === 'DEPOSIT_LIMIT').length;
    expect(saved).toBeGreaterThanOrEqual(1);
    // One new open case beside the cleared one, opened by whichever run came first.
    const open = await casesOf(user.id, '&status=OPEN');
    expect(open.total).toBe(1);
    expect(open.items[0].id).not.toBe(first.id);
    expect(open.items[0].findings).toEqual([expect.objectContaining({ rule: 'DEPOSIT_LIMIT', count: saved })]);
    expect((await casesOf(user.id)).total).toBe(2);
  });
});

describe('rule snoozes', () => {
  it('a snoozed rule is recorded but does not freeze; the snooze ends by itself and the rule escalates again', async () => {
    const user = await registerUser(http);
    const snooze = (body: unknown, token = admin.token) =>
      http.post(`/aml/admin/users/${user.id}/snoozes`, body, token);
    const until = new Date(Date.now() + 6_000).toISOString();
    expect(
      (await snooze({ rule: 'VELOCITY', until: new Date(Date.now() - 1000).toISOString(), reason: 'r' })).status,
    ).toBe(400);
    expect((await snooze({ rule: 'NOPE', until, reason: 'r' })).status).toBe(400);
    expect((await snooze({ rule: 'VELOCITY', until })).status).toBe(400);
    expect((await snooze({ rule: 'VELOCITY', until, reason: 'r' }, user.token)).status).toBe(403);
    const ok = await snooze({ rule: 'VELOCITY', until, reason: 'market maker test account' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ rule: 'VELOCITY', active: true, createdBy: admin.id, createdByEmail: admin.email });
    expect(
      await sql(`select actor_id, reason from audit_logs where action = 'aml.rule_snoozed' and target_id = ?`, [
        user.id,
      ]),
    ).toEqual([{ actor_id: admin.id, reason: 'market maker test account' }]);

    for (let i = 0; i < 12; i++) expect((await deposit(user)).status).toBe(201);
    await outboxDelivered(ctx.orm);
    expect(await statusOf(user.id)).toBe('ACTIVE');
    const velocity = await sql(
      `select snoozed, outcome from aml_checks where user_id = ? and check_type = 'VELOCITY'`,
      [user.id],
    );
    expect(velocity.length).toBeGreaterThan(0);
    expect(velocity.every((r) => r.snoozed === true && r.outcome === 'decline')).toBe(true);
    expect((await casesOf(user.id)).total).toBe(0);

    // No job lifts it: once `until` has passed, the next movement over the threshold freezes.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(until) - Date.now() + 200)));
    const listed = await http.get(`/aml/admin/users/${user.id}/snoozes`, admin.token);
    expect(listed.body.items[0]).toMatchObject({ rule: 'VELOCITY', active: false });
    for (let i = 0; i < 11 && (await statusOf(user.id)) !== 'FROZEN'; i++) await deposit(user);
    expect(await statusOf(user.id)).toBe('FROZEN');
    await outboxDelivered(ctx.orm);
    await eventually(async () => (await casesOf(user.id)).items[0]?.workflowId != null, 20_000, 'case');
    const keep = await http.put(`/aml/admin/users/${user.id}/decision`, { decision: 'KEEP_FROZEN' }, admin.token);
    expect(keep.status).toBe(200);
  });
});

describe('rule snoozes on a block_and_review rule', () => {
  it('a SANCTIONS finding recorded under a snooze holds nothing and opens no case; after the snooze ends the next movement finds the rule live: case and COMPLIANCE_HOLD', async () => {
    const user = await registerUser(http, { fullName: 'Ivan Petrovich Sidorov', dateOfBirth: '1990-01-01' });
    await approveKycWithDocumentBirthDate(user, '1990-01-01');
    const until = new Date(Date.now() + 10_000).toISOString();
    const snoozed = await http.post(
      `/aml/admin/users/${user.id}/snoozes`,
      { rule: 'SANCTIONS', until, reason: 'same name, different person: passport seen' },
      admin.token,
    );
    expect(snoozed.status).toBe(201);
    expect((await deposit(user, '200')).status).toBe(201);
    expect((await withdraw(user, '10')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    const sanctionsChecks = () =>
      sql(
        `select outcome, snoozed from aml_checks where user_id = ? and check_type = 'SANCTIONS' order by created_at`,
        [user.id],
      );
    expect(await sanctionsChecks()).toEqual([{ outcome: 'block_and_review', snoozed: true }]);
    expect((await casesOf(user.id)).total).toBe(0);

    // The snooze ends by itself. The finding recorded under it holds nothing: the hold is checked
    // before this withdrawal's own evaluation, which meets the rule live (the snoozed finding does
    // not count for the 24 h repeat window), records it and opens the case in the same commit.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(until) - Date.now() + 200)));
    const listed = await http.get(`/aml/admin/users/${user.id}/snoozes`, admin.token);
    expect(listed.body.items[0]).toMatchObject({ rule: 'SANCTIONS', active: false });
    const first = await withdraw(user, '10');
    expect([first.status, first.body.error?.code]).toEqual([201, undefined]);
    await outboxDelivered(ctx.orm);
    expect(await sanctionsChecks()).toEqual([
      { outcome: 'block_and_review', snoozed: true },
      { outcome: 'block_and_review', snoozed: false },
    ]);
    const { items, total } = await casesOf(user.id);
    expect(total).toBe(1);
    expect(items[0]).toMatchObject({
      status: 'OPEN',
      highestOutcome: 'block_and_review',
      findingSummary: 'SANCTIONS x1',
    });
    expect(items[0].findings).toEqual([
      expect.objectContaining({ rule: 'SANCTIONS', outcome: 'block_and_review', snoozed: false }),
    ]);

    // block_and_review: withdrawals and trading are held, the account is not frozen.
    const held = await withdraw(user, '10');
    expect([held.status, held.body.error?.code]).toEqual([403, 'COMPLIANCE_HOLD']);
    const spot = await http.post(
      '/trades',
      { symbol: 'BTCUSD', side: 'BUY', quantity: '0.001', price: '43000' },
      user.token,
    );
    expect([spot.status, spot.body.error?.code]).toEqual([403, 'COMPLIANCE_HOLD']);
    expect(await statusOf(user.id)).toBe('ACTIVE');
  });

  it('the snooze shows on the case: rule, until, reason and the admin who snoozed it', async () => {
    const user = await registerUser(http);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    const [open] = (await casesOf(user.id)).items;
    expect(open).toMatchObject({ status: 'OPEN', findingSummary: 'DEPOSIT_LIMIT x1' });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const reason = 'payroll account: the salary is paid in one sum';
    const snoozed = await http.post(
      `/aml/admin/users/${user.id}/snoozes`,
      { rule: 'DEPOSIT_LIMIT', until, reason },
      admin.token,
    );
    expect(snoozed.status).toBe(201);

    const page = await http.get(`/aml/admin/cases/${open.id}`, admin.token);
    expect(page.status).toBe(200);
    expect(page.body.snoozes).toEqual([
      expect.objectContaining({
        userId: user.id,
        rule: 'DEPOSIT_LIMIT',
        until,
        reason,
        createdBy: admin.id,
        createdByEmail: admin.email,
        active: true,
      }),
    ]);
    expect(page.body.timeline.filter((e: any) => e.kind === 'SNOOZED')).toEqual([
      expect.objectContaining({
        actor: { type: 'ADMIN', id: admin.id, email: admin.email },
        reason,
        data: { rule: 'DEPOSIT_LIMIT', until },
      }),
    ]);
  });
});

describe("the case list and a case's findings by rule", () => {
  it('the same rule firing again within one open case is one row: its count grows and last seen moves on', async () => {
    const user = await registerUser(http);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    const [open] = (await casesOf(user.id)).items;
    expect(open.findings).toEqual([expect.objectContaining({ rule: 'DEPOSIT_LIMIT', count: 1 })]);

    // An unresolved finding is not repeated within AML_ALERT_COOLDOWN_MS (24 h) of its creation:
    // a day later, with the case still open, the same rule fires again.
    await sql(
      `update aml_checks set created_at = created_at - interval '25 hours' where user_id = ? and check_type = 'DEPOSIT_LIMIT'`,
      [user.id],
    );
    const run = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
    expect(run.status).toBe(200);
    expect(run.body.saved.map((c: any) => c.checkType)).toEqual(['DEPOSIT_LIMIT']);

    const list = await casesOf(user.id);
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ id: open.id, status: 'OPEN', findingSummary: 'DEPOSIT_LIMIT x2' });
    const page = await http.get(`/aml/admin/cases/${open.id}`, admin.token);
    expect(page.status).toBe(200);
    expect(page.body.findingSummary).toBe('DEPOSIT_LIMIT x2');
    expect(page.body.findings).toHaveLength(1);
    const [finding] = page.body.findings;
    expect(finding).toMatchObject({
      rule: 'DEPOSIT_LIMIT',
      count: 2,
      outcome: 'review',
      firstSeenAt: open.findings[0].firstSeenAt,
    });
    expect(Date.parse(finding.firstSeenAt)).toBeLessThan(Date.parse(finding.lastSeenAt));
    expect(page.body.timeline.filter((e: any) => e.kind === 'FINDING_ADDED').map((e: any) => e.data.rule)).toEqual([
      'DEPOSIT_LIMIT',
      'DEPOSIT_LIMIT',
    ]);
  });

  it("pages one user's three cases exactly (newest first, no overlap) and filters the unassigned ones", async () => {
    const user = await registerUser(http);
    expect((await deposit(user, '50000.01')).status).toBe(201);
    await outboxDelivered(ctx.orm);
    // Three cases, oldest first: clearing one closes it and resolves its finding, so the next run
    // finds the rule anew and opens the next case.
    const opened: string[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) expect((await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token)).status).toBe(200);
      const open = await casesOf(user.id, '&status=OPEN');
      expect(open.total).toBe(1);
      opened.push(open.items[0].id);
      if (i < 2) {
        const cleared = await http.post(
          `/aml/admin/cases/${open.items[0].id}/decision`,
          { decision: 'CLEARED', reason: `known payroll deposit ${i}` },
          admin.token,
        );
        expect(cleared.status).toBe(200);
      }
    }
    const [oldest, middle, newest] = opened;
    expect(new Set(opened).size).toBe(3);
    expect((await http.put(`/aml/admin/cases/${newest}/assignee`, { assigneeId: master.id }, admin.token)).status).toBe(
      200,
    );

    const page = async (query: string) => {
      const res = await http.get(`/aml/admin/cases?userId=${user.id}&${query}`, admin.token);
      expect(res.status).toBe(200);
      return res.body as { items: any[]; total: number; limit: number; offset: number };
    };
    const first = await page('limit=2&offset=0');
    expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(first.items.map((c) => c.id)).toEqual([newest, middle]);
    const second = await page('limit=2&offset=2');
    expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(second.items.map((c) => c.id)).toEqual([oldest]);
    expect((await page('limit=2&offset=4')).items).toEqual([]);

    const unassigned = await page('assignee=none');
    expect(unassigned.total).toBe(2);
    expect(unassigned.items.map((c) => [c.id, c.assignee])).toEqual([
      [middle, null],
      [oldest, null],
    ]);
    const assigned = await page(`assignee=${master.id}`);
    expect(assigned.items.map((c) => [c.id, c.status, c.assignee])).toEqual([
      [newest, 'INVESTIGATING', { id: master.id, email: master.email }],
    ]);
    expect(assigned.total).toBe(1);
  });
});

describe('bad input', () => {
  it('refuses bad filters and ids with a 400, unknown cases with a 404, USERs with a 403', async () => {
    const user = await registerUser(http);
    expect((await http.get('/aml/admin/cases?status=BOGUS', admin.token)).status).toBe(400);
    expect((await http.get('/aml/admin/cases?limit=0', admin.token)).status).toBe(400);
    expect((await http.get('/aml/admin/cases?assignee=someone', admin.token)).status).toBe(400);
    expect((await http.get('/aml/admin/cases/not-a-uuid', admin.token)).status).toBe(400);
    expect((await http.get(`/aml/admin/cases/${randomUUID()}`, admin.token)).status).toBe(404);
    expect((await http.get('/aml/admin/cases', user.token)).status).toBe(403);
    expect((await http.get('/aml/admin/cases?offset=-1', admin.token)).status).toBe(400);
    expect((await http.get('/aml/admin/cases?limit=101', admin.token)).status).toBe(400);
  });
});

describe('a decision that arrives before the relay has started the freeze workflow', () => {
  // A deployment whose relay is behind: the freeze and the case commit with the deposit, the
  // workflow start waits in the outbox. The admin's decision must not answer 404.
  let lagging: AppContext;
  let api: HttpClient;
  beforeAll(async () => {
    lagging = await createTestContext({ OUTBOX_RELAY: 'false' });
    await startTestWorker(lagging);
    api = httpClient((await startTestApi(lagging)).url);
  });
  afterAll(() => lagging.shutdown.run('test done'));

  const pendingFreezes = async (userId: string) =>
    lagging.orm.em
      .fork()
      .execute<{ delivered: boolean }[]>(
        `select delivered_at is not null delivered from outbox where topic = 'aml-freeze' and payload->>'userId' = ?`,
        [userId],
      );

  it('starts the workflow from the pending outbox row, records the approval, and the relay later delivers nothing twice', async () => {
    const user = await registerUser(api, { country: 'IR' });
    const dep = await api.post('/wallet/deposit', { amount: '10' }, user.token, { 'idempotency-key': randomUUID() });
    expect(dep.status).toBe(201);
    expect((await lagging.orm.em.fork().execute('select status from users where id = ?', [user.id]))[0].status).toBe(
      'FROZEN',
    );
    expect(await pendingFreezes(user.id)).toEqual([{ delivered: false }]);
    const handle = lagging.temporal.workflow.getHandle(amlWorkflowId(user.id));
    await expect(handle.describe()).rejects.toThrow(/not found/i);

    const path = `/aml/admin/users/${user.id}/decision`;
    const first = await api.put(path, { decision: 'UNFREEZE', notes: 'proof of residence' }, admin.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'FROZEN', decidedBy: [admin.id] });
    expect(await pendingFreezes(user.id)).toEqual([{ delivered: true }]);

    // The relay catches up: the freeze row is not handed out again (one finding in the workflow).
    const relay = await startOutboxRelay(lagging);
    await outboxDelivered(lagging.orm);
    await relay.stop();
    const state = await handle.query(amlCaseQuery);
    expect(state.findings).toHaveLength(1);

    expect((await api.put(path, { decision: 'UNFREEZE' }, master.token)).status).toBe(200);
    await eventually(
      async () =>
        (await lagging.orm.em.fork().execute('select status from users where id = ?', [user.id]))[0].status ===
        'ACTIVE',
      20_000,
      'unfrozen',
    );
  });

  it('a decision for a user with no case and nothing pending is still 404', async () => {
    const user = await registerUser(api);
    const res = await api.put(`/aml/admin/users/${user.id}/decision`, { decision: 'UNFREEZE' }, admin.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
