import { createHmac } from 'node:crypto';
import { assertSameDigest } from '../../src/features/kyc/providers/http';
import { LocalWebhookReader } from '../../src/features/kyc/providers/local';
import { OnfidoWebhookReader } from '../../src/features/kyc/providers/onfido';
import { SumsubWebhookReader, sumsubEventTime } from '../../src/features/kyc/providers/sumsub';
import { VeriffWebhookReader } from '../../src/features/kyc/providers/veriff';
import { KYC_TEST_SECRETS as S, providerWebhook } from '../helpers/kyc-providers';

// The edges of the webhook readers that the field tests leave open: malformed signatures named as
// such, Sumsub's two time formats at their limits, and deliveries without the optional objects.
const raw = (payload: unknown) => Buffer.from(JSON.stringify(payload));
const body = (provider: 'SUMSUB' | 'ONFIDO' | 'VERIFF', verdict: 'APPROVED' | 'REJECTED' | 'RETRY') =>
  JSON.parse(providerWebhook(provider, { userId: 'user-1', providerId: 'p-1', verdict, at: 1_700_000_000_000 }).body);

describe('signature comparison', () => {
  const digest = createHmac('sha256', 'k').update('payload').digest('hex');

  it('accepts the digest in upper case too (hex is case-insensitive)', () => {
    expect(() => assertSameDigest(digest, digest.toUpperCase())).not.toThrow();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not hex', 'zz'],
    ['hex then junk', `${digest}z`],
    ['junk then hex', `z${digest}`],
  ])('a signature that is %s is "missing or malformed"', (_, given) => {
    expect(() => assertSameDigest(digest, given)).toThrow('missing or malformed signature');
  });

  it('a well-formed signature of another digest, or of another length, is a "signature mismatch"', () => {
    const other = createHmac('sha256', 'k').update('other').digest('hex');
    expect(() => assertSameDigest(digest, other)).toThrow('signature mismatch');
    expect(() => assertSameDigest(digest, digest.slice(0, 40))).toThrow('signature mismatch');
  });
});

describe('Sumsub event times (UTC, two published layouts)', () => {
  it.each([
    ['createdAtMs', { createdAtMs: '2020-02-21 13:23:19.321' }, '2020-02-21T13:23:19.321Z'],
    [
      'createdAtMs with one fraction digit (tenths)',
      { createdAtMs: '2020-02-21 13:23:19.5' },
      '2020-02-21T13:23:19.500Z',
    ],
    ['createdAt', { createdAt: '2023-03-14 12:50:27+0000' }, '2023-03-14T12:50:27.000Z'],
    [
      'createdAtMs before createdAt',
      { createdAtMs: '2020-02-21 13:23:19.321', createdAt: '2023-03-14 12:50:27+0000' },
      '2020-02-21T13:23:19.321Z',
    ],
    ['the last second of a day', { createdAt: '2024-02-29 23:59:59+0000' }, '2024-02-29T23:59:59.000Z'],
  ])('%s', (_, fields, iso) => {
    expect(sumsubEventTime(fields)).toBe(new Date(iso).getTime());
  });

  it.each([
    ['a date that does not exist', { createdAt: '2021-02-29 10:00:00+0000' }],
    ['a day past the month', { createdAt: '2020-02-30 10:00:00+0000' }],
    ['minute 60', { createdAt: '2020-02-21 13:60:00+0000' }],
    ['second 60', { createdAt: '2020-02-21 13:23:60+0000' }],
    ['hour 24', { createdAtMs: '2020-02-21 24:00:00.000' }],
    ['a two-digit-century year Date.UTC would move to 1999', { createdAt: '0099-06-15 10:00:00+0000' }],
    ['text before the time', { createdAt: 'x2020-02-21 13:23:19+0000' }],
    ['text after the time', { createdAt: '2020-02-21 13:23:19+0000x' }],
    ['text before createdAtMs', { createdAtMs: 'x2020-02-21 13:23:19.321' }],
    ['four fraction digits', { createdAtMs: '2020-02-21 13:23:19.3210' }],
    ['another zone', { createdAt: '2020-02-21 13:23:19+0100' }],
    ['a number', { createdAtMs: 1582291399321 }],
    ['nothing', {}],
  ])('%s is no time (0)', (_, fields) => {
    expect(sumsubEventTime(fields)).toBe(0);
  });
});

describe('deliveries without the optional objects', () => {
  it('Sumsub applicantPending carries no reviewResult: PENDING without a reason', () => {
    const reader = new SumsubWebhookReader(S.SUMSUB_WEBHOOK_SECRET);
    const pending = { type: 'applicantPending', applicantId: 'a', externalUserId: 'u', reviewStatus: 'pending' };
    expect(reader.read(pending, raw(pending))?.result).toMatchObject({ outcome: 'PENDING', reason: null });
  });

  it('Sumsub applicantReviewed without a reviewResult is no verdict', () => {
    const reader = new SumsubWebhookReader(S.SUMSUB_WEBHOOK_SECRET);
    const p = { type: 'applicantReviewed', applicantId: 'a', externalUserId: 'u', reviewStatus: 'completed' };
    expect(reader.read(p, raw(p))).toBeNull();
  });

  it('Onfido: a workflow_run delivery without an object is ignored', () => {
    const reader = new OnfidoWebhookReader(S.ONFIDO_WEBHOOK_TOKEN);
    const p = { payload: { resource_type: 'workflow_run', action: 'workflow_run.completed' } };
    expect(reader.read(p, raw(p))).toBeNull();
  });

  it('Veriff 9121 (in review) carries no reason: nothing is decided yet', () => {
    const reader = new VeriffWebhookReader({ apiKey: S.VERIFF_API_KEY, sharedSecret: S.VERIFF_SHARED_SECRET });
    const p = body('VERIFF', 'RETRY');
    p.verification.code = 9121;
    p.verification.status = 'review';
    delete p.verification.reason;
    expect(reader.read(p, raw(p))?.result).toMatchObject({ outcome: 'REVIEW', reason: null });
  });

  it.each(['APPROVED', 'REJECTED', 'RETRY', 'PENDING', 'REVIEW'])('LOCAL reads the outcome %s', (outcome) => {
    const reader = new LocalWebhookReader(S.KYC_LOCAL_WEBHOOK_SECRET);
    const p = { userId: 'u', providerId: 'p', outcome };
    expect(reader.read(p, raw(p))?.result.outcome).toBe(outcome);
  });
});
