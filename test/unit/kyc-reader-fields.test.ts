import { header, splitName } from '../../src/features/kyc/providers/http';
import { LocalWebhookReader } from '../../src/features/kyc/providers/local';
import { OnfidoWebhookReader } from '../../src/features/kyc/providers/onfido';
import { SumsubWebhookReader } from '../../src/features/kyc/providers/sumsub';
import { WebhookSignatureError } from '../../src/features/kyc/providers/types';
import { VeriffWebhookReader } from '../../src/features/kyc/providers/veriff';
import { KYC_TEST_SECRETS as S, providerWebhook } from '../helpers/kyc-providers';

// What each reader takes from a delivery besides the verdict: reason, time, and which deliveries
// it ignores. Deliveries come from the same helper as the verdict tests, with fields changed.
const AT = 1_700_000_000_000;
const body = (provider: 'SUMSUB' | 'ONFIDO' | 'VERIFF' | 'LOCAL', verdict: 'APPROVED' | 'REJECTED' | 'RETRY') =>
  JSON.parse(providerWebhook(provider, { userId: 'user-1', providerId: 'p-1', verdict, at: AT }).body);
const raw = (payload: unknown) => Buffer.from(JSON.stringify(payload));

describe('LOCAL webhook reader', () => {
  const reader = new LocalWebhookReader(S.KYC_LOCAL_WEBHOOK_SECRET);

  it.each(['APPROVED', 'REJECTED', 'RETRY'] as const)('verifies and reads %s', (verdict) => {
    const hook = providerWebhook('LOCAL', { userId: 'user-1', providerId: 'p-1', verdict, at: AT });
    expect(() => reader.verify(hook.headers, Buffer.from(hook.body))).not.toThrow();
    expect(reader.read(JSON.parse(hook.body), Buffer.from(hook.body))).toEqual({
      userId: 'user-1',
      result: {
        provider: 'LOCAL',
        providerId: 'p-1',
        outcome: verdict,
        occurredAt: AT,
        eventId: expect.stringMatching(/^[0-9a-f]{64}$/),
        reason: null,
        verifiedDateOfBirth: null, // this delivery reports no document birth date
      },
    });
  });

  it('refuses a tampered body; reads PENDING and a reason; ignores an unknown outcome or a missing id', () => {
    const hook = providerWebhook('LOCAL', { userId: 'user-1', providerId: 'p-1', verdict: 'APPROVED', at: AT });
    expect(() => reader.verify(hook.headers, Buffer.from(hook.body.replace('p-1', 'p-9')))).toThrow(
      WebhookSignatureError,
    );
    const pending = { userId: 'u', providerId: 'p', outcome: 'PENDING', reason: 'manual check' };
    expect(reader.read(pending, raw(pending))?.result).toMatchObject({
      outcome: 'PENDING',
      reason: 'manual check',
      occurredAt: 0,
    });
    for (const p of [
      { userId: 'u', providerId: 'p', outcome: 'MAYBE' },
      { providerId: 'p', outcome: 'APPROVED' },
      { userId: 'u', outcome: 'APPROVED' },
      { userId: 'u', providerId: 'p' },
    ]) {
      expect(reader.read(p, raw(p))).toBeNull();
    }
  });
});

describe('Sumsub reader fields', () => {
  const reader = new SumsubWebhookReader(S.SUMSUB_WEBHOOK_SECRET);

  it('a rejection carries the moderation comment, else the reject labels; an approval no reason', () => {
    const rejected = body('SUMSUB', 'REJECTED');
    expect(reader.read(rejected, raw(rejected))?.result).toMatchObject({
      outcome: 'REJECTED',
      reason: 'Forged document',
    });
    delete rejected.reviewResult.moderationComment;
    expect(reader.read(rejected, raw(rejected))?.result.reason).toBe('DOCUMENT_PAGE_MISSING');
    const approved = body('SUMSUB', 'APPROVED');
    expect(reader.read(approved, raw(approved))?.result.reason).toBeNull();
  });

  it('applicantPending reads as PENDING, applicantOnHold as REVIEW (a person at Sumsub looks); other types and incomplete deliveries are ignored', () => {
    const pending = { ...body('SUMSUB', 'APPROVED'), type: 'applicantPending' };
    expect(reader.read(pending, raw(pending))?.result.outcome).toBe('PENDING');
    const onHold = { ...body('SUMSUB', 'APPROVED'), type: 'applicantOnHold' };
    expect(reader.read(onHold, raw(onHold))?.result.outcome).toBe('REVIEW');
    const ignored = [
      { ...body('SUMSUB', 'APPROVED'), type: 'applicantCreated' },
      { ...body('SUMSUB', 'APPROVED'), reviewResult: {} },
      { ...body('SUMSUB', 'APPROVED'), applicantId: undefined },
      { ...body('SUMSUB', 'APPROVED'), externalUserId: undefined },
      { ...body('SUMSUB', 'APPROVED'), type: undefined },
    ];
    for (const p of ignored) expect(reader.read(p, raw(p))).toBeNull();
  });

  it('takes the time from createdAtMs, else from createdAt', () => {
    const p = body('SUMSUB', 'APPROVED');
    delete p.createdAtMs;
    expect(reader.read(p, raw(p))?.result.occurredAt).toBe(AT);
  });

  it('refuses an unknown digest algorithm', () => {
    const hook = providerWebhook('SUMSUB', { userId: 'u', providerId: 'p', verdict: 'APPROVED' });
    expect(() =>
      reader.verify({ ...hook.headers, 'x-payload-digest-alg': 'HMAC_MD5_HEX' }, Buffer.from(hook.body)),
    ).toThrow(/unsupported digest algorithm HMAC_MD5_HEX/);
  });
});

describe('Onfido reader fields', () => {
  const reader = new OnfidoWebhookReader(S.ONFIDO_WEBHOOK_TOKEN);

  it('a decline says "declined by provider", an abandoned run says so; an approval carries no reason', () => {
    const declined = body('ONFIDO', 'REJECTED');
    expect(reader.read(declined, raw(declined))?.result).toMatchObject({
      outcome: 'REJECTED',
      reason: 'declined by provider',
    });
    const approved = body('ONFIDO', 'APPROVED');
    expect(reader.read(approved, raw(approved))?.result.reason).toBeNull();
    const retry = body('ONFIDO', 'RETRY');
    expect(reader.read(retry, raw(retry))?.result).toMatchObject({
      outcome: 'RETRY',
      reason: 'workflow run abandoned',
    });
  });

  it('takes the completion time, else the start time', () => {
    const p = body('ONFIDO', 'APPROVED');
    expect(reader.read(p, raw(p))?.result.occurredAt).toBe(AT);
    delete p.payload.object.completed_at_iso8601;
    expect(reader.read(p, raw(p))?.result.occurredAt).toBe(AT - 60_000);
  });

  it('reads in-progress statuses as PENDING, review as REVIEW, and ignores other resources and unknown statuses', () => {
    for (const status of ['processing', 'awaiting_input', 'awaiting_client_input']) {
      const p = body('ONFIDO', 'APPROVED');
      p.payload.object.status = status;
      expect(reader.read(p, raw(p))?.result.outcome).toBe('PENDING');
    }
    const review = body('ONFIDO', 'APPROVED');
    review.payload.object.status = 'review';
    expect(reader.read(review, raw(review))?.result.outcome).toBe('REVIEW');
    const unknown = body('ONFIDO', 'APPROVED');
    unknown.payload.object.status = 'exploded';
    const otherResource = body('ONFIDO', 'APPROVED');
    otherResource.payload.resource_type = 'check';
    const noId = body('ONFIDO', 'APPROVED');
    delete noId.payload.object.id;
    for (const p of [unknown, otherResource, noId, {}]) expect(reader.read(p, raw(p))).toBeNull();
  });
});

describe('Veriff reader fields', () => {
  const reader = new VeriffWebhookReader({ apiKey: S.VERIFF_API_KEY, sharedSecret: S.VERIFF_SHARED_SECRET });

  it('a decline and a resubmission carry Veriff’s reason, else its status; an approval none', () => {
    const declined = body('VERIFF', 'REJECTED');
    expect(reader.read(declined, raw(declined))?.result.reason).toBe('Physical document not used');
    declined.verification.reason = null;
    delete declined.verification.reason;
    expect(reader.read(declined, raw(declined))?.result.reason).toBe('declined');
    const approved = body('VERIFF', 'APPROVED');
    expect(reader.read(approved, raw(approved))?.result.reason).toBeNull();
  });

  it('reads code 9104 as RETRY and 9121 as REVIEW; ignores unknown codes and deliveries without an id or vendorData', () => {
    for (const [code, outcome] of [
      [9104, 'RETRY'],
      [9121, 'REVIEW'],
    ] as const) {
      const p = body('VERIFF', 'RETRY');
      p.verification.code = code;
      expect(reader.read(p, raw(p))?.result.outcome).toBe(outcome);
    }
    const unknown = body('VERIFF', 'APPROVED');
    unknown.verification.code = 9999;
    const noVendor = body('VERIFF', 'APPROVED');
    delete noVendor.verification.vendorData;
    const noId = body('VERIFF', 'APPROVED');
    delete noId.verification.id;
    const noCode = body('VERIFF', 'APPROVED');
    delete noCode.verification.code;
    for (const p of [unknown, noVendor, noId, noCode, {}]) expect(reader.read(p, raw(p))).toBeNull();
  });

  it('takes the decision time, else the acceptance time', () => {
    const p = body('VERIFF', 'APPROVED');
    expect(reader.read(p, raw(p))?.result.occurredAt).toBe(AT);
    delete p.verification.decisionTime;
    expect(reader.read(p, raw(p))?.result.occurredAt).toBe(AT - 60_000);
  });
});

describe('provider HTTP helpers', () => {
  it('splits a full name into first and last for the provider applicant', () => {
    expect(splitName('Ada King Lovelace')).toEqual({ first: 'Ada', last: 'King Lovelace' });
    expect(splitName('  Ada   Lovelace  ')).toEqual({ first: 'Ada', last: 'Lovelace' });
    expect(splitName('Cher')).toEqual({ first: 'Cher', last: 'Cher' });
  });

  it('reads a header case-insensitively, the first of repeated values', () => {
    expect(header({ 'x-sig': 'a' }, 'X-Sig')).toBe('a');
    expect(header({ 'x-sig': ['a', 'b'] }, 'x-sig')).toBe('a');
    expect(header({}, 'x-sig')).toBeUndefined();
  });
});
