import { OnfidoWebhookReader } from '../../src/features/kyc/providers/onfido';
import { SumsubWebhookReader } from '../../src/features/kyc/providers/sumsub';
import { WebhookSignatureError } from '../../src/features/kyc/providers/types';
import { VeriffWebhookReader } from '../../src/features/kyc/providers/veriff';
import { KYC_TEST_SECRETS as S, providerWebhook } from '../helpers/kyc-providers';

const readers = {
  SUMSUB: new SumsubWebhookReader(S.SUMSUB_WEBHOOK_SECRET),
  ONFIDO: new OnfidoWebhookReader(S.ONFIDO_WEBHOOK_TOKEN),
  VERIFF: new VeriffWebhookReader({ apiKey: S.VERIFF_API_KEY, sharedSecret: S.VERIFF_SHARED_SECRET }),
};

describe.each(['SUMSUB', 'ONFIDO', 'VERIFF'] as const)('%s webhook reader', (provider) => {
  const reader = readers[provider];
  const signed = (verdict: 'APPROVED' | 'REJECTED' | 'RETRY') =>
    providerWebhook(provider, { userId: 'user-1', providerId: 'p-1', verdict, at: 1_700_000_000_000 });

  it.each([
    ['APPROVED', 'APPROVED'],
    ['REJECTED', 'REJECTED'],
    ['RETRY', 'RETRY'],
  ] as const)('verifies and reads a %s delivery as %s', (verdict, outcome) => {
    const hook = signed(verdict);
    const raw = Buffer.from(hook.body);
    expect(() => reader.verify(hook.headers, raw)).not.toThrow();
    const read = reader.read(JSON.parse(hook.body), raw)!;
    expect(read.result).toMatchObject({ provider, providerId: 'p-1', outcome, occurredAt: 1_700_000_000_000 });
    expect(read.result.eventId).toMatch(/^[0-9a-f]{64}$/);
    expect(read.userId).toBe(provider === 'ONFIDO' ? null : 'user-1');
  });

  it('refuses a body changed by one byte, a missing signature and a signature of another length', () => {
    const hook = signed('APPROVED');
    const tampered = Buffer.from(hook.body.replace('p-1', 'p-2'));
    expect(() => reader.verify(hook.headers, tampered)).toThrow(WebhookSignatureError);
    const sigHeader = Object.keys(hook.headers).find((h) => /signature|digest$/.test(h))!;
    const { [sigHeader]: _dropped, ...unsigned } = hook.headers;
    expect(() => reader.verify(unsigned, Buffer.from(hook.body))).toThrow(WebhookSignatureError);
    expect(() => reader.verify({ ...hook.headers, [sigHeader]: 'abcd' }, Buffer.from(hook.body))).toThrow(
      WebhookSignatureError,
    );
  });
});

describe('Sumsub digest algorithms', () => {
  it.each(['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] as const)('accepts %s', (alg) => {
    const hook = providerWebhook('SUMSUB', { userId: 'u', providerId: 'p', verdict: 'APPROVED', alg });
    expect(() => readers.SUMSUB.verify(hook.headers, Buffer.from(hook.body))).not.toThrow();
  });

  it('refuses a digest whose algorithm header names another hash', () => {
    const hook = providerWebhook('SUMSUB', {
      userId: 'u',
      providerId: 'p',
      verdict: 'APPROVED',
      alg: 'HMAC_SHA256_HEX',
    });
    expect(() =>
      readers.SUMSUB.verify({ ...hook.headers, 'x-payload-digest-alg': 'HMAC_SHA512_HEX' }, Buffer.from(hook.body)),
    ).toThrow(WebhookSignatureError);
  });
});

describe('Veriff client header', () => {
  it('refuses a delivery from another integration (X-AUTH-CLIENT)', () => {
    const hook = providerWebhook('VERIFF', { userId: 'u', providerId: 'p', verdict: 'APPROVED' });
    expect(() =>
      readers.VERIFF.verify({ ...hook.headers, 'x-auth-client': 'someone-else' }, Buffer.from(hook.body)),
    ).toThrow(/X-AUTH-CLIENT/);
  });
});
