import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { httpClient, registerUser, uniqueEmail, type HttpClient, type HttpResult } from '../helpers/http';

/** Two API instances with their own Redis prefixes: one for per-account limits, one for per-IP. */
let perAccount: { ctx: AppContext; http: HttpClient };
let perIp: { ctx: AppContext; http: HttpClient };

const apiWith = async (overrides: Record<string, string>) => {
  const ctx = await createTestContext(overrides);
  return { ctx, http: httpClient((await startTestApi(ctx)).url) };
};

beforeAll(async () => {
  perAccount = await apiWith({
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '5',
    RATE_LIMIT_REGISTER_PER_ACCOUNT: '2',
    RATE_LIMIT_WEBHOOK_PER_PROVIDER: '3',
    LOGIN_LOCK_FAILURES: '3',
    LOGIN_LOCK_SECONDS: '60',
  });
  perIp = await apiWith({
    RATE_LIMIT_LOGIN_PER_IP: '4',
    RATE_LIMIT_REGISTER_PER_IP: '2',
    RATE_LIMIT_WEBHOOK_PER_IP: '3',
  });
});
afterAll(async () => {
  await perAccount?.ctx.shutdown.run('test done');
  await perIp?.ctx.shutdown.run('test done');
});

const expectLimited = (res: HttpResult, maxSeconds: number) => {
  expect([res.status, res.body.error.code]).toEqual([429, 'RATE_LIMITED']);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
};

describe('per account', () => {
  it('wrong passwords lock the account: even the right one is 429 until the lock ends; the lock is audited once', async () => {
    const { ctx, http } = perAccount;
    const user = await registerUser(http);
    const login = (password: string) => http.post('/auth/login', { email: user.email, password });
    for (let i = 0; i < 4; i++) expect((await login('wrong password!')).status).toBe(401);
    expectLimited(await login(user.password), 60);
    expectLimited(await http.post('/admin/queues/login', { email: user.email, password: user.password }), 60);
    const audits = await ctx.orm.em
      .fork()
      .execute(`select action, target_id from audit_logs where action = 'auth.login.locked' and target_id = ?`, [
        user.email.toLowerCase(),
      ]);
    expect(audits).toHaveLength(1);
  });

  it('correct sign-ins on one account are limited per window', async () => {
    const { http } = perAccount;
    const user = await registerUser(http);
    for (let i = 0; i < 5; i++) expect((await http.post('/auth/login', user)).status).toBe(200);
    expectLimited(await http.post('/auth/login', user), 60);
  });

  it('registrations of one address are limited', async () => {
    const { http } = perAccount;
    const email = uniqueEmail();
    await registerUser(http, { email });
    const again = { email, password: 'correct horse battery', fullName: 'Again', country: 'DE' };
    expect((await http.post('/auth/register', again)).status).toBe(409);
    expectLimited(await http.post('/auth/register', again), 60);
  });

  it('webhook calls per provider are limited', async () => {
    const { http } = perAccount;
    for (let i = 0; i < 3; i++) expect((await http.post('/kyc/webhook/LOCAL', { x: 1 })).status).toBe(401);
    expectLimited(await http.post('/kyc/webhook/LOCAL', { x: 1 }), 60);
  });
});

describe('per IP', () => {
  it('sign-ins from one address are limited across accounts, the dashboard login included', async () => {
    const { http } = perIp;
    for (let i = 0; i < 4; i++) {
      expect((await http.post('/auth/login', { email: uniqueEmail(), password: 'whatever123' })).status).toBe(401);
    }
    expectLimited(await http.post('/auth/login', { email: uniqueEmail(), password: 'whatever123' }), 60);
    expectLimited(await http.post('/admin/queues/login', { email: uniqueEmail(), password: 'whatever123' }), 60);
  });

  it('registrations and webhook calls from one address are limited', async () => {
    const { http } = perIp;
    await registerUser(http);
    await registerUser(http);
    expectLimited(
      await http.post('/auth/register', {
        email: uniqueEmail(),
        password: 'correct horse battery',
        fullName: 'Third',
        country: 'DE',
      }),
      60,
    );
    for (let i = 0; i < 3; i++) await http.post('/kyc/webhook/SUMSUB', {});
    expectLimited(await http.post('/kyc/webhook/VERIFF', {}), 60);
  });
});
