import {
  canonicalJson,
  signMessage,
  signStartInput,
  verifyMessage,
  verifyStartInput,
} from '../../src/kernel/temporal/signing';
import { SIGNING_KEYS_SLOT } from '../../src/kernel/temporal/signing-slot';
import { withSigningKeys } from '../../src/kernel/temporal/worker';

const KEY = 'k'.repeat(40);
const to = { workflowId: 'kyc-u1', name: 'adminDecision' };
const now = 1_800_000_000_000;
const fresh = { now, maxAgeMs: 10 * 60_000 };

describe('signed workflow messages', () => {
  const message = signMessage(KEY, to, 'admin:a1', { decision: 'APPROVE', adminId: 'a1', notes: null }, now);

  it('verifies what was signed, whatever the key order after a JSON round trip', () => {
    const roundTripped = JSON.parse(
      JSON.stringify({ ...message, payload: { notes: null, adminId: 'a1', decision: 'APPROVE' } }),
    );
    expect(verifyMessage([KEY], to, roundTripped, fresh)).toMatchObject({ ok: true, actor: 'admin:a1' });
  });

  it.each([
    ['a bare payload', { decision: 'APPROVE', adminId: 'a1' }, 'unsigned'],
    ['no signature', { ...message, signature: undefined }, 'unsigned'],
    ['an edited payload', { ...message, payload: { ...message.payload, adminId: 'a2' } }, 'bad signature'],
    ['another actor', { ...message, actor: 'admin:a2' }, 'bad signature'],
    ['a moved date', { ...message, signedAt: now + 1 }, 'bad signature'],
    ['another key', signMessage('x'.repeat(40), to, 'admin:a1', message.payload, now), 'bad signature'],
  ])('refuses %s', (_, candidate, reason) => {
    expect(verifyMessage([KEY], to, candidate, fresh)).toEqual({ ok: false, reason });
  });

  it('refuses it for another workflow or another message name', () => {
    expect(verifyMessage([KEY], { ...to, workflowId: 'kyc-u2' }, message, fresh)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    expect(verifyMessage([KEY], { ...to, name: 'decision' }, message, fresh)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('refuses a stale one and one from the future; accepts the previous key while rotating', () => {
    expect(verifyMessage([KEY], to, message, { now: now + 10 * 60_000 + 1, maxAgeMs: 10 * 60_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyMessage([KEY], to, message, { now: now - 3 * 60_000, maxAgeMs: 10 * 60_000 })).toEqual({
      ok: false,
      reason: 'from the future',
    });
    expect(verifyMessage(['n'.repeat(40), KEY], to, message, fresh).ok).toBe(true);
    expect(verifyMessage([], to, message, fresh)).toEqual({ ok: false, reason: 'no signing key' });
  });

  it('signs start inputs inside the input', () => {
    const input = signStartInput(
      KEY,
      { workflowId: 'kyc-u1', name: 'kycVerification' },
      'user:u1',
      { userId: 'u1', n: 1 },
      now,
    );
    expect(verifyStartInput([KEY], { workflowId: 'kyc-u1', name: 'kycVerification' }, input, fresh)).toMatchObject({
      ok: true,
      payload: { userId: 'u1', n: 1 },
    });
    expect(
      verifyStartInput([KEY], { workflowId: 'kyc-u1', name: 'kycVerification' }, { ...input, userId: 'u2' }, fresh),
    ).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('canonical JSON sorts keys at every depth and drops undefined like JSON does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: undefined }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"f":2}]},"b":1}',
    );
  });
});

describe('the worker fills the bundle slot with its keys', () => {
  it('replaces the one slot and refuses a bundle without one or with two', () => {
    const code = `const k = "${SIGNING_KEYS_SLOT}";`;
    expect(withSigningKeys({ code }, ['ab']).code).toBe('const k = "6162";');
    expect(withSigningKeys({ code }, ['ab', 'c']).code).toBe('const k = "6162.63";');
    expect(() => withSigningKeys({ code: 'nothing' }, ['ab'])).toThrow(/0 signing-key slots/);
    expect(() => withSigningKeys({ code: code + code }, ['ab'])).toThrow(/2 signing-key slots/);
    expect(() => withSigningKeys({ code }, [])).toThrow(/no workflow signing key/);
  });
});
