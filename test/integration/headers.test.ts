import { hostname } from 'node:os';
import type { AppContext } from '../../src/main/context';
import { createTestContext, startTestApi } from '../helpers/context';
import { createStaff, httpClient, registerUser, uniqueEmail, type HttpClient, type HttpResult } from '../helpers/http';
import { LiveClient } from '../helpers/live-client';

let ctx: AppContext;
let http: HttpClient;
let url: string;

beforeAll(async () => {
  // No INSTANCE_ID: the default is what a fresh deployment shows.
  ctx = await createTestContext();
  url = (await startTestApi(ctx)).url;
  http = httpClient(url);
});
afterAll(() => ctx.shutdown.run('test done'));

const expectBaseHeaders = (res: HttpResult) => {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('security headers', () => {
  it('every answer carries nosniff, frame denial and no-referrer: success, 4xx, 404, 405', async () => {
    const user = await registerUser(http);
    for (const res of [
      await http.get('/health'),
      await http.get('/auth/me', user.token),
      await http.get('/auth/me'),
      await http.get('/no/such/route'),
      await http.call('PUT', '/auth/login', { body: {} }),
      await http.post('/auth/login', { email: 'x' }),
    ]) {
      expectBaseHeaders(res);
    }
  });

  it('answers with a token in the body are Cache-Control: no-store', async () => {
    const email = uniqueEmail();
    const register = await http.post('/auth/register', {
      email,
      password: 'correct horse battery',
      fullName: 'Cache Test',
      country: 'DE',
    });
    expect(register.body.token).toEqual(expect.any(String));
    expect(register.headers.get('cache-control')).toBe('no-store');
    const login = await http.post('/auth/login', { email, password: 'correct horse battery' });
    expect(login.body.token).toEqual(expect.any(String));
    expect(login.headers.get('cache-control')).toBe('no-store');
  });

  it('HTML pages (the dashboard sign-in and the board) carry a Content-Security-Policy', async () => {
    const admin = await createStaff(ctx, 'ADMIN');
    for (const res of [await http.get('/admin/queues/login'), await http.get('/admin/queues', admin.token)]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expectBaseHeaders(res);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });
});

describe('the Socket.IO greeting', () => {
  it('does not tell the host name or the process id', async () => {
    const user = await registerUser(http);
    const client = await LiveClient.connect(url, user.token);
    try {
      const [ready] = client.of('session:ready');
      expect(ready!.payload).toMatchObject({ userId: user.id, role: 'USER' });
      const text = JSON.stringify(ready!.payload);
      expect(text).not.toContain(hostname());
      expect(text).not.toMatch(new RegExp(`\\b${process.pid}\\b`));
    } finally {
      client.close();
    }
  });
});
