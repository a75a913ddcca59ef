import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { outboxDelivered } from '../helpers/outbox';
import { startOutboxRelay } from '../../src/main/outbox';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../helpers/http';

// What a compliance officer reads back through the admin API: the figures behind each finding,
// a user's own history, and what resolving a check leaves behind. No finding here is critical,
// so no freeze workflow (and no worker) is involved.
let ctx: AppContext;
let http: HttpClient;
let admin: TestUser;

beforeAll(async () => {
  ctx = await createTestContext();
  http = httpClient((await startTestApi(ctx)).url);
  admin = await createStaff(ctx, 'ADMIN');
  await startOutboxRelay(ctx);
});
afterAll(() => ctx.shutdown.run('test done'));

const sql = <T = any>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);
const move = async (user: TestUser, kind: 'deposit' | 'withdraw', amount: string) => {
  const res = await http.post(`/wallet/${kind}`, { amount }, user.token, {
    'idempotency-key': `${kind}-${randomUUID()}`,
  });
  expect([kind, amount, res.status]).toEqual([kind, amount, 201]);
  // The full AML run follows the movement through the outbox.
  await outboxDelivered(ctx.orm);
};
const run = async (user: TestUser) => {
  const res = await http.post(`/aml/admin/users/${user.id}/run`, {}, admin.token);
  expect(res.status).toBe(200);
  return res.body as { findings: any[]; saved: any[]; freezeRequested: boolean };
};
const finding = (body: { findings: any[] }, type: string) => body.findings.find((f) => f.checkType === type);

/** A user who may withdraw (KYC approved), as after a completed verification. */
async function verifiedUser(): Promise<TestUser> {
  const user = await registerUser(http);
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  return user;
}

describe('AML figures and records', () => {
  it('the last 24 h deposits and withdrawals are summed apart: 1,000.00 in and 100.00 out is no abuse, 900.00 out is', async () => {
    const small = await verifiedUser();
    await move(small, 'deposit', '600.00');
    await move(small, 'deposit', '400.00');
    await move(small, 'withdraw', '100.00');
    const abuse = finding(await run(small), 'ABUSE');
    expect(abuse.metadata).toMatchObject({
      depositsLast24h: 100_000,
      withdrawalsLast24h: 10_000,
      tradeVolumeLast24h: 0,
    });
    expect(abuse.result).toBe('PASS');

    const roundTrip = await verifiedUser();
    await move(roundTrip, 'deposit', '1000.00');
    await move(roundTrip, 'withdraw', '900.00');
    const flagged = finding(await run(roundTrip), 'ABUSE');
    expect(flagged.metadata).toMatchObject({ depositsLast24h: 100_000, withdrawalsLast24h: 90_000, roundTrip: true });
    expect([flagged.result, flagged.severity]).toEqual(['REVIEW', 'HIGH']);
  });

  it("a user's check history lists that user's checks only", async () => {
    const a = await registerUser(http);
    const b = await registerUser(http);
    const ofA = (await run(a)).saved.map((c) => c.id);
    const ofB = (await run(b)).saved.map((c) => c.id);
    expect(ofA).toHaveLength(1);
    expect(ofB).toHaveLength(1);
    const history = await http.get(`/aml/admin/users/${a.id}/checks`, admin.token);
    expect(history.status).toBe(200);
    expect(history.body.items.map((c: any) => c.id)).toEqual(ofA);
    expect(history.body.items.map((c: any) => c.userId)).toEqual([a.id]);
  });

  it('resolving a check keeps the finding, adds the officer’s notes, and writes one audit row with them', async () => {
    const user = await registerUser(http);
    await move(user, 'deposit', '50000.01');
    const history = await http.get(`/aml/admin/users/${user.id}/checks`, admin.token);
    const check = history.body.items.find((c: any) => c.checkType === 'DEPOSIT_LIMIT');
    expect(check).toMatchObject({ result: 'REVIEW', severity: 'HIGH', notes: 'daily deposits above the limit' });

    const res = await http.put(
      `/aml/admin/checks/${check.id}/resolve`,
      { notes: 'salary, payslip on file' },
      admin.token,
    );
    expect(res.status).toBe(200);
    expect(res.body.notes).toContain('daily deposits above the limit');
    expect(res.body.notes).toContain('salary, payslip on file');
    const after = await http.get(`/aml/admin/users/${user.id}/checks`, admin.token);
    expect(after.body.items.find((c: any) => c.id === check.id).notes).toContain('salary, payslip on file');

    const audit = await sql(
      `select actor_type, actor_id, action, target_type, reason from audit_logs where target_id = ? order by id`,
      [check.id],
    );
    expect(audit).toEqual([
      {
        actor_type: 'ADMIN',
        actor_id: admin.id,
        action: 'aml.check_resolved',
        target_type: 'aml_check',
        reason: 'salary, payslip on file',
      },
    ]);
  });
});
