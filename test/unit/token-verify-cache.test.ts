/**
 * TokenService remembers tokens it has verified (their signature is not checked again), and that
 * must not let anything through that a fresh check would refuse: an expired token, a token that
 * differs by one character, a staff token whose account changed.
 */
import { TokenService } from '../../src/features/auth/tokens';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const USER = { userId: '9b2f3c1e-1d2a-4c55-8f0e-2a6b7c8d9e01', role: 'USER' as const };

afterEach(() => jest.useRealTimers());

it('refuses a remembered token once it has expired', async () => {
  jest.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
  const tokens = new TokenService(SECRET, 60);
  const token = await tokens.issue(USER);
  await expect(tokens.verify(token)).resolves.toEqual(USER);
  jest.setSystemTime(new Date('2026-12-01T10:00:59Z'));
  await expect(tokens.verify(token)).resolves.toEqual(USER);
  jest.setSystemTime(new Date('2026-12-01T10:01:00Z'));
  await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'token expired' });
});

it('refuses a token that differs from a remembered one by one character of its signature', async () => {
  const tokens = new TokenService(SECRET, 60);
  const token = await tokens.issue(USER);
  await tokens.verify(token);
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
  await expect(tokens.verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'invalid token' });
});

it('still checks a remembered staff token against the account every time its cache runs out', async () => {
  let status: 'ACTIVE' | 'FROZEN' = 'ACTIVE';
  const tokens = new TokenService(SECRET, 60, {
    accountOf: async () => ({ status, role: 'ADMIN' }),
    accountCacheMs: 0,
  });
  const admin = { userId: '1c7d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f', role: 'ADMIN' as const };
  const token = await tokens.issue(admin);
  await expect(tokens.verify(token)).resolves.toEqual(admin);
  status = 'FROZEN';
  await new Promise((r) => setTimeout(r, 5)); // past the (zero) account cache
  await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'FORBIDDEN' });
});
