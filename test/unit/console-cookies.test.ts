import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { createConsoleRouter, type ConsoleRouterDeps } from '../../src/features/console/routes';
import { CONSOLE_COOKIE, secureCookiesFor, type ConsoleSessions } from '../../src/features/console/session';

/**
 * The console's Set-Cookie flags as a browser receives them, for each NODE_ENV: HttpOnly and
 * SameSite=Strict always, Secure everywhere but development and test. The console router runs
 * alone with stand-ins for what these two requests do not reach (no session is ever found).
 */
async function setCookies(nodeEnv: string, path: string, cookie?: string): Promise<string[]> {
  const sessions = { resolve: async () => null, settings: { idleSeconds: 60, maxSeconds: 600 } };
  const router = createConsoleRouter({
    sessions: sessions as unknown as ConsoleSessions,
    secureCookies: secureCookiesFor(nodeEnv),
    temporalUi: { url: 'http://temporal-ui.test', namespace: 'default' },
    loginLimits: [],
    queues: () => [],
  } as unknown as ConsoleRouterDeps);
  const app = new Koa();
  app.use(router.routes());
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    return res.headers.getSetCookie();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const flagsOf = (setCookie: string) =>
  setCookie
    .split(';')
    .slice(1)
    .map((f) => f.trim().toLowerCase())
    .filter((f) => !f.startsWith('expires=') && !f.startsWith('max-age='))
    .sort();

describe('console cookie flags', () => {
  // A stale session cookie is cleared with the session cookie's own options.
  const staleSession = `${CONSOLE_COOKIE}=${'a'.repeat(43)}`;

  it.each(['production'])('NODE_ENV=%s: Secure, HttpOnly, SameSite=Strict', async (nodeEnv) => {
    const [login] = await setCookies(nodeEnv, '/console/login');
    expect(login).toMatch(/^console_login_csrf=/);
    expect(flagsOf(login!)).toEqual(['httponly', 'path=/console', 'samesite=strict', 'secure']);
    const [cleared] = await setCookies(nodeEnv, '/console/kyc', staleSession);
    expect(cleared).toMatch(/^console_session=;/);
    expect(flagsOf(cleared!)).toEqual(['httponly', 'path=/', 'samesite=strict', 'secure']);
  });

  it.each(['development', 'test'])(
    'NODE_ENV=%s (plain HTTP): HttpOnly, SameSite=Strict, not Secure',
    async (nodeEnv) => {
      const [login] = await setCookies(nodeEnv, '/console/login');
      expect(flagsOf(login!)).toEqual(['httponly', 'path=/console', 'samesite=strict']);
      const [cleared] = await setCookies(nodeEnv, '/console/kyc', staleSession);
      expect(flagsOf(cleared!)).toEqual(['httponly', 'path=/', 'samesite=strict']);
    },
  );

  it('an environment that is neither development nor test gets Secure cookies', () => {
    expect(secureCookiesFor('staging')).toBe(true);
    expect(secureCookiesFor('production')).toBe(true);
    expect(secureCookiesFor('development')).toBe(false);
    expect(secureCookiesFor('test')).toBe(false);
  });
});
