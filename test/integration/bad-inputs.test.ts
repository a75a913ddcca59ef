import { createHmac, randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { httpClient, registerUser, uniqueEmail, type HttpClient, type HttpResult } from '../helpers/http';

let ctx: AppContext;
let http: HttpClient;

beforeAll(async () => {
  // 100 deposits in a minute reach the largest balance: the velocity rule (which would freeze the
  // account at the 11th) is set out of the way, and so are the daily limits (REVIEW only).
  ctx = await createTestContext({ SUSPICIOUS_VELOCITY_THRESHOLD: '1000' });
  http = httpClient((await startTestApi(ctx)).url);
});
afterAll(() => ctx.shutdown.run('test done'));

/** A 4xx in the JSON error shape, with the given status and code. */
const expectError = (res: HttpResult, status: number, code: string) => {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
};

describe('every bad input is a 4xx in the JSON error shape', () => {
  it.each(['null', '[]', '"text"', '42'])('a validly signed LOCAL webhook whose body is %s: 400', async (raw) => {
    const signature = createHmac('sha256', ctx.config.KYC_LOCAL_WEBHOOK_SECRET).update(raw).digest('hex');
    const res = await http.call('POST', '/kyc/webhook/local', { raw, headers: { 'x-local-signature': signature } });
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('POST /trades with a huge quantity, a huge price, or a notional above the maximum', async () => {
    const user = await registerUser(http);
    const trade = (quantity: string, price: string) =>
      http.post('/trades', { symbol: 'BTCUSD', side: 'BUY', quantity, price }, user.token);
    expectError(await trade('999999999999.99999999', '43000'), 400, 'VALIDATION_FAILED');
    expectError(await trade('1', '90071992547409.91'), 400, 'VALIDATION_FAILED');
    expectError(await trade('999999999999.99999999', '90071992547409.91'), 400, 'VALIDATION_FAILED');
    // Both within their own bounds, the product above 10^13 minor units.
    expectError(await trade('100000', '100000000'), 422, 'UNPROCESSABLE');
    expect((await trade('0.5', '43000')).status).toBe(201);
  });

  it('a NUL character in fullName (or any string of the body) is 400 and stores nothing', async () => {
    const email = uniqueEmail();
    const res = await http.post('/auth/register', {
      email,
      password: 'correct horse battery',
      fullName: 'Null\u0000Byte',
      country: 'DE',
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(await ctx.orm.em.fork().execute('select 1 from users where email = ?', [email])).toHaveLength(0);
  });

  it('dateOfBirth 0000-01-01 is 400', async () => {
    const res = await http.post('/auth/register', {
      email: uniqueEmail(),
      password: 'correct horse battery',
      fullName: 'Year Zero',
      country: 'DE',
      dateOfBirth: '0000-01-01',
    });
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('a method the route does not take is 405 JSON with an Allow header', async () => {
    const res = await http.call('PUT', '/auth/login', { body: {} });
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toContain('POST');
    const del = await http.call('DELETE', '/wallet/deposit');
    expectError(del, 405, 'METHOD_NOT_ALLOWED');
  });

  it('amounts above 10^13 minor units are 400; a deposit taking the balance past 10^15 is 422', async () => {
    const user = await registerUser(http);
    const deposit = (amount: string) =>
      http.post('/wallet/deposit', { amount }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
    expectError(await deposit('90071992547409.91'), 400, 'VALIDATION_FAILED');
    expectError(await deposit('100000000000.01'), 400, 'VALIDATION_FAILED');
    const binary = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '90071992547409.91', expiry: 60 },
      user.token,
    );
    expectError(binary, 400, 'VALIDATION_FAILED');
    expect(binary.body.error.message).toBe('stake is too large');
    // 100 deposits of the largest amount reach the largest balance exactly.
    for (let i = 0; i < 100; i++) expect((await deposit('100000000000.00')).status).toBe(201);
    expectError(await deposit('0.01'), 422, 'UNPROCESSABLE');
    const wallet = await http.get('/wallet', user.token);
    const [row] = await ctx.orm.em
      .fork()
      .execute<{ s: string }[]>(`select coalesce(sum(amount), 0)::text s from ledger_entries where user_id = ?`, [
        user.id,
      ]);
    expect(row!.s).toBe('1000000000000000');
    expect(JSON.stringify(wallet.body)).toContain('10000000000000.00');
  });
});
