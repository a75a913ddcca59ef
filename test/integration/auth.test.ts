import { SignJWT, UnsecuredJWT } from 'jose';
import Router from '@koa/router';
import { createApp } from '../../src/kernel/http/app';
import { authenticate, requireRole } from '../../src/features/auth/middleware';
import { buildRouters } from '../../src/main/routers';
import type { AppContext } from '../../src/main/context';
import { createStaff, httpClient, registerUser, uniqueEmail, type HttpClient } from '../helpers/http';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let ctx: AppContext;
let server: Server;
let http: HttpClient;

beforeAll(async () => {
  ctx = await createTestContext();
  // The real routers plus one admin-only route, to check the role middleware end to end.
  const adminOnly = new Router();
  adminOnly.get('/_test/admin', authenticate(ctx.tokens), requireRole(['ADMIN', 'MASTER']), (c) => {
    c.body = { ok: true };
  });
  const app = createApp({
    logger: ctx.logger,
    orm: ctx.orm,
    bodyLimit: '10kb',
    routers: [...buildRouters(ctx), adminOnly],
  });
  server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  http = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { unchecked: ['/_test/admin'] });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await ctx.shutdown.run('test done');
});

describe('register and login', () => {
  it('registers, logs in, and reads the profile with the token', async () => {
    const user = await registerUser(http, { fullName: 'Ada Lovelace', country: 'gb' });
    const login = await http.post('/auth/login', { email: user.email.toUpperCase(), password: user.password });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({
      id: user.id,
      role: 'USER',
      status: 'ACTIVE',
      country: 'GB',
      kycStatus: 'NOT_STARTED',
    });
    expect(login.body.user).not.toHaveProperty('passwordHash');

    const me = await http.get('/auth/me', login.body.token);
    expect(me.status).toBe(200);
    expect(me.body.user.fullName).toBe('Ada Lovelace');
  });

  it('creates a wallet with a zero balance for each new user', async () => {
    const user = await registerUser(http);
    const rows = await ctx.orm.em
      .fork()
      .getConnection()
      .execute('select balance, locked from wallets where user_id = ?', [user.id]);
    expect(rows).toEqual([{ balance: '0', locked: false }]);
  });

  it('refuses a duplicate email with 409 and a wrong password with 401', async () => {
    const user = await registerUser(http);
    const dup = await http.post('/auth/register', {
      email: user.email,
      password: 'another password',
      fullName: 'X',
      country: 'DE',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('EMAIL_TAKEN');
    const bad = await http.post('/auth/login', { email: user.email, password: 'wrong password!' });
    expect(bad.status).toBe(401);
    const unknown = await http.post('/auth/login', { email: uniqueEmail(), password: 'whatever pass' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(bad.body.error.message);
  });

  it('answers bad input with 400 and the zod issue paths, and stores nothing', async () => {
    const email = uniqueEmail();
    const res = await http.post('/auth/register', { email, password: 'short', country: 'Germany' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = res.body.error.details.map((d: { path: string[] }) => d.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['password', 'fullName', 'country']));
    const rows = await ctx.orm.em.fork().getConnection().execute('select 1 from users where email = ?', [email]);
    expect(rows).toHaveLength(0);
  });

  it('accepts birth dates from 1900-01-01 to 18 years ago (UTC) only', async () => {
    const now = new Date();
    const ymd = (years: number, days = 0) =>
      new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() + days))
        .toISOString()
        .slice(0, 10);
    for (const dateOfBirth of ['0000-01-01', '1899-12-31', ymd(18, 1), ymd(0), '2990-01-01', '1990-02-30']) {
      const res = await http.post('/auth/register', {
        email: uniqueEmail(),
        password: 'correct horse battery',
        fullName: 'Dated User',
        country: 'DE',
        dateOfBirth,
      });
      expect({ dateOfBirth, status: res.status, code: res.body.error?.code }).toEqual({
        dateOfBirth,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    for (const dateOfBirth of ['1900-01-01', ymd(18)]) {
      await expect(registerUser(http, { dateOfBirth })).resolves.toMatchObject({ id: expect.any(String) });
    }
  });

  it('refuses a non-JSON body with 415 and malformed JSON with 400, without a stack trace', async () => {
    const wrongType = await http.call('POST', '/auth/login', { raw: 'a=b', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    const broken = await http.call('POST', '/auth/login', { raw: '{"email":' });
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await http.post('/auth/login', { email: 'a@b.cd', password: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
  });
});

describe('authentication and roles', () => {
  it('answers 401 without a token and 403 for a USER on an ADMIN route', async () => {
    expect((await http.get('/auth/me')).status).toBe(401);
    expect((await http.get('/_test/admin')).status).toBe(401);
    const user = await registerUser(http);
    const res = await http.get('/_test/admin', user.token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('lets ADMIN and MASTER through', async () => {
    for (const role of ['ADMIN', 'MASTER'] as const) {
      const staff = await createStaff(ctx, role);
      expect((await http.get('/_test/admin', staff.token)).status).toBe(200);
    }
  });

  it('refuses expired, unsigned (alg none) and wrongly signed tokens with 401', async () => {
    const user = await registerUser(http);
    const expired = await ctx.tokens.issue({ userId: user.id, role: 'USER' }, -10);
    const res = await http.get('/auth/me', expired);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('token expired');

    const none = new UnsecuredJWT({ role: 'ADMIN' })
      .setSubject(user.id)
      .setIssuer('compliance-backend')
      .setExpirationTime('1h')
      .encode();
    expect((await http.get('/_test/admin', none)).status).toBe(401);

    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('compliance-backend')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-some-other-secret-000'));
    expect((await http.get('/_test/admin', forged)).status).toBe(401);
  });

  it('refuses a correctly signed token without exp, or with another issuer or audience', async () => {
    const staff = await createStaff(ctx, 'ADMIN');
    const key = new TextEncoder().encode(ctx.config.JWT_SECRET);
    const token = (claims: { exp?: boolean; iss?: string; aud?: string }) => {
      const jwt = new SignJWT({ role: 'ADMIN' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(staff.id)
        .setIssuedAt();
      if (claims.iss) jwt.setIssuer(claims.iss);
      if (claims.aud) jwt.setAudience(claims.aud);
      if (claims.exp) jwt.setExpirationTime('1h');
      return jwt.sign(key);
    };
    const good = { exp: true, iss: 'compliance-backend', aud: 'compliance-api' };
    expect((await http.get('/_test/admin', await token(good))).status).toBe(200);
    for (const bad of [
      { ...good, exp: false },
      { ...good, iss: undefined },
      { ...good, iss: 'someone-else' },
      { ...good, aud: undefined },
      { ...good, aud: 'another-api' },
    ]) {
      const res = await http.get('/_test/admin', await token(bad));
      expect({ bad, status: res.status }).toEqual({ bad, status: 401 });
    }
  });
});

describe('a frozen staff account', () => {
  it('loses staff routes and the queue dashboard within seconds, though its token has not expired', async () => {
    const staff = await createStaff(ctx, 'ADMIN');
    expect((await http.get('/kyc/admin/pending', staff.token)).status).toBe(200);
    expect((await http.get('/admin/queues/metrics', staff.token)).status).toBe(200);

    await ctx.orm.em.fork().execute(`update users set status = 'FROZEN' where id = ?`, [staff.id]);
    const frozenAt = Date.now();
    await eventually(
      async () => (await http.get('/kyc/admin/pending', staff.token)).status === 403,
      10_000,
      'staff route refused',
    );
    expect(Date.now() - frozenAt).toBeLessThan(5_000);
    const pending = await http.get('/kyc/admin/pending', staff.token);
    expect([pending.status, pending.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await http.get('/aml/admin/checks', staff.token)).status).toBe(403);
    expect((await http.get('/admin/queues/metrics', staff.token)).status).toBe(403);
    expect((await http.get('/admin/queues', staff.token)).status).toBe(403);
    const login = await http.post('/admin/queues/login', { email: staff.email, password: staff.password });
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
  });
});
