/**
 * The providers' own published material (test/fixtures, sources in test/fixtures/README.md) fed
 * into the real verifiers and readers: SDK test vectors and documented HMAC known answers must
 * verify, documented payloads must read as the provider defines them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyProviderResult, type KycState } from '../../src/features/kyc/rules';
import { hmacHex } from '../../src/features/kyc/providers/http';
import { OnfidoWebhookReader } from '../../src/features/kyc/providers/onfido';
import { SumsubWebhookReader, sumsubRequestSignature } from '../../src/features/kyc/providers/sumsub';
import { WebhookSignatureError } from '../../src/features/kyc/providers/types';
import { VeriffWebhookReader } from '../../src/features/kyc/providers/veriff';

const fixtures = join(__dirname, '..', 'fixtures');
const raw = (path: string) => readFileSync(join(fixtures, path));
const json = (path: string) => JSON.parse(raw(path).toString('utf8'));

const pendingCase = (over: Partial<KycState> = {}): KycState => ({
  userId: 'u1',
  provider: 'VERIFF',
  status: 'PENDING',
  attempt: 1,
  maxAttempts: 3,
  providerId: null,
  needsManualReview: false,
  lastProviderEventAt: null,
  decidedBy: null,
  reason: null,
  ...over,
});

describe('Onfido: the SDK test vectors (onfido-node / onfido-python)', () => {
  const { vectors } = json('onfido/sdk-webhook-vectors.json');

  it.each(vectors.map((v: any) => [v.name, v]) as [string, any][])(
    '%s: verifies, refuses the altered signature',
    (_name, v: any) => {
      const reader = new OnfidoWebhookReader(v.webhookToken);
      const body = Buffer.from(v.rawBody, 'utf8');
      expect(() => reader.verify({ 'x-sha2-signature': v.signature }, body)).not.toThrow();
      expect(() => reader.verify({ 'x-sha2-signature': v.invalidSignature }, body)).toThrow(WebhookSignatureError);
      expect(() => new OnfidoWebhookReader('another-token').verify({ 'x-sha2-signature': v.signature }, body)).toThrow(
        WebhookSignatureError,
      );
      // Not a workflow run: acknowledged, nothing to apply.
      expect(reader.read(JSON.parse(v.rawBody), body)).toBeNull();
    },
  );
});

describe('Onfido: every workflow run status the SDK defines', () => {
  const schema = json('onfido/webhook-event-schema.json');
  const reader = new OnfidoWebhookReader('t');
  const run = (status: string) => {
    const payload = {
      payload: {
        resource_type: 'workflow_run',
        action: 'workflow_run.completed',
        object: { id: 'run-1', status, completed_at_iso8601: '2020-01-01T00:00:00Z' },
      },
    };
    return reader.read(payload, Buffer.from(JSON.stringify(payload)));
  };

  it('has a defined handling, none ignored', () => {
    const unhandled = (schema.workflowRunStatuses as string[]).filter((status) => run(status) === null);
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['approved', 'APPROVED'],
    ['declined', 'REJECTED'],
    ['abandoned', 'RETRY'],
    ['error', 'RETRY'],
    ['review', 'REVIEW'],
    ['processing', 'PENDING'],
    ['awaiting_input', 'PENDING'],
    ['awaiting_client_input', 'PENDING'],
  ])('%s -> %s', (status, outcome) => {
    expect(run(status)?.result.outcome).toBe(outcome);
  });

  it('error is terminal: the case stops waiting for the provider (resubmission), awaiting_client_input does not', () => {
    const state = pendingCase({ provider: 'ONFIDO', providerId: 'run-1' });
    expect(applyProviderResult(state, run('error')!.result)).toEqual({ kind: 'await-user' });
    expect(run('error')!.result.reason).toMatch(/error/);
    expect(applyProviderResult(state, run('awaiting_client_input')!.result)).toEqual({
      kind: 'ignore',
      why: 'not-decisive',
    });
  });

  it('reads the run time as published (whole seconds, UTC)', () => {
    expect(run('approved')!.result.occurredAt).toBe(Date.UTC(2020, 0, 1));
  });
});

describe('Veriff: the documented HMAC known answers', () => {
  const kat = json('veriff/hmac-known-answers.json');
  const reader = new VeriffWebhookReader({ apiKey: 'api-key', sharedSecret: kat.sharedSecret });

  it.each(kat.answers.map((a: any) => [a.signs, a]) as [string, any][])('%s', (_signs, a: any) => {
    expect(hmacHex('sha256', kat.sharedSecret, a.payload)).toBe(a.signature);
    const headers = { 'x-auth-client': 'api-key', 'x-hmac-signature': a.signature };
    expect(() => reader.verify(headers, Buffer.from(a.payload))).not.toThrow();
    expect(() =>
      reader.verify({ ...headers, 'x-hmac-signature': a.signature.toUpperCase() }, Buffer.from(a.payload)),
    ).not.toThrow(); // hex is hex, whatever its case
    expect(() => reader.verify(headers, Buffer.from(`${a.payload} `))).toThrow(WebhookSignatureError);
  });
});

describe('Veriff: the documented decision webhook and status table', () => {
  const reader = new VeriffWebhookReader({ apiKey: 'k', sharedSecret: 's' });
  const decision = raw('veriff/decision-approved.json');
  const withCode = (code: number, status: string) => {
    const p = JSON.parse(decision.toString('utf8'));
    Object.assign(p.verification, { code, status });
    return reader.read(p, Buffer.from(JSON.stringify(p)));
  };

  it('reads the approved example: session id, vendorData, decision time', () => {
    const read = reader.read(JSON.parse(decision.toString('utf8')), decision)!;
    expect(read.userId).toBe('12345678');
    expect(read.result).toMatchObject({
      provider: 'VERIFF',
      providerId: '12df6045-3846-3e45-946a-14fa6136d78b',
      outcome: 'APPROVED',
      occurredAt: Date.UTC(2019, 10, 6, 7, 18, 36, 916),
      reason: null,
    });
  });

  it("reads the document's birth date from the published example's person (1967-03-30)", () => {
    expect(reader.read(JSON.parse(decision.toString('utf8')), decision)!.result.verifiedDateOfBirth).toBe('1967-03-30');
  });

  it.each([
    ['no person', undefined],
    ['a null date', { dateOfBirth: null }],
    ['a year only', { dateOfBirth: '1967' }],
    ['no such day', { dateOfBirth: '1967-02-30' }],
    ['another format', { dateOfBirth: '30.03.1967' }],
  ])('no verified birth date from %s', (_, person) => {
    const p = JSON.parse(decision.toString('utf8'));
    if (person === undefined) delete p.verification.person;
    else p.verification.person = { ...p.verification.person, ...person };
    expect(reader.read(p, Buffer.from(JSON.stringify(p)))!.result.verifiedDateOfBirth).toBeNull();
  });

  it.each([
    ['approved', 9001, 'APPROVED'],
    ['declined', 9102, 'REJECTED'],
    ['resubmission_requested', 9103, 'RETRY'],
    ['expired', 9104, 'RETRY'],
    ['abandoned', 9104, 'RETRY'],
    ['review', 9121, 'REVIEW'],
  ])('%s (%i) -> %s', (status, code, outcome) => {
    expect(withCode(code, status)?.result.outcome).toBe(outcome);
  });

  it('every status of the published table has a handling', () => {
    const { decisions } = json('veriff/decision-codes.json');
    for (const d of decisions) expect(withCode(d.code, d.status)).not.toBeNull();
  });

  it('9121 review keeps the case waiting without using an attempt; the later 9001 for the session decides', () => {
    const review = withCode(9121, 'review')!.result;
    const state = pendingCase({ providerId: review.providerId, attempt: 3 }); // even on the last attempt
    const effect = applyProviderResult(state, review);
    expect(effect).toEqual({ kind: 'wait', why: 'provider-review' });
    const after = { ...state, lastProviderEventAt: review.occurredAt }; // what the workflow keeps
    const approval = withCode(9001, 'approved')!.result;
    expect(applyProviderResult(after, approval)).toEqual({ kind: 'decide', status: 'APPROVED', reason: null });
  });
});

describe('Sumsub: the documented payloads and signing', () => {
  const digests = json('sumsub/webhook-digests.json');
  const reader = new SumsubWebhookReader(digests.secretKey);

  it.each(
    Object.entries(digests.digests).flatMap(([file, byAlg]: [string, any]) =>
      Object.entries(byAlg).map(([alg, digest]) => [file, alg, digest as string]),
    ),
  )('%s signed %s verifies; the same digest under another secret does not', (file, alg, digest) => {
    const body = raw(`sumsub/${file}`);
    const headers = { 'x-payload-digest': digest, 'x-payload-digest-alg': alg };
    expect(() => reader.verify(headers, body)).not.toThrow();
    expect(() => new SumsubWebhookReader('another-secret').verify(headers, body)).toThrow(WebhookSignatureError);
  });

  const read = (file: string) => {
    const body = raw(`sumsub/${file}`);
    return reader.read(JSON.parse(body.toString('utf8')), body);
  };

  it('applicantReviewed GREEN: approved, at createdAtMs read as UTC', () => {
    expect(read('applicant-reviewed-green.json')).toMatchObject({
      userId: 'externalUserId',
      result: {
        providerId: '5cb56e8e0a975a35f333cb83',
        outcome: 'APPROVED',
        occurredAt: Date.UTC(2020, 1, 21, 13, 23, 19, 321),
      },
    });
  });

  it('applicantReviewed RED/FINAL: rejected with the moderation comment', () => {
    expect(read('applicant-reviewed-red-final.json')!.result).toMatchObject({
      outcome: 'REJECTED',
      occurredAt: Date.UTC(2020, 1, 21, 13, 23, 19, 1),
      reason: expect.stringMatching(/^We could not verify your profile/),
    });
  });

  it('applicantWorkflowCompleted is read like applicantReviewed', () => {
    expect(read('applicant-workflow-completed-red.json')).toMatchObject({
      userId: '12672',
      result: {
        providerId: '64106d6b7d5a2d5159e6b01a',
        outcome: 'REJECTED',
        occurredAt: Date.UTC(2023, 2, 14, 12, 50, 27, 238),
        reason: 'AGE_REQUIREMENT_MISMATCH',
      },
    });
    const green = JSON.parse(raw('sumsub/applicant-workflow-completed-red.json').toString('utf8'));
    green.reviewResult = { reviewAnswer: 'GREEN' };
    expect(reader.read(green, Buffer.from(JSON.stringify(green)))?.result.outcome).toBe('APPROVED');
  });

  it('a createdAtMs that is not the documented layout is not taken for a time', () => {
    const p = JSON.parse(raw('sumsub/applicant-reviewed-green.json').toString('utf8'));
    for (const bad of ['2020-02-21T13:23:19.321', '2020-13-21 13:23:19.321', 'yesterday']) {
      p.createdAtMs = bad;
      expect(reader.read(p, Buffer.from(JSON.stringify(p)))?.result.occurredAt).toBe(0);
    }
  });

  it('X-App-Access-Sig of the documented string to sign', () => {
    const k = json('sumsub/request-signing.json');
    expect(k.ts + k.method + k.path + k.body).toBe(k.stringToSign);
    expect(sumsubRequestSignature(k.secretKey, k.ts, k.method, k.path, k.body)).toBe(k.signature);
  });
});
