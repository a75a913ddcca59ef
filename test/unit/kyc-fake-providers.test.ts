/**
 * The local fake providers (test/helpers/kyc-providers.ts) drive the end-to-end tests; these
 * tests hold them to the providers' published material so they cannot drift from the real format
 * (as the fake's epoch-millisecond Sumsub createdAtMs once hid that real events read as 1970).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnfidoWebhookReader } from '../../src/features/kyc/providers/onfido';
import { SumsubWebhookReader } from '../../src/features/kyc/providers/sumsub';
import { VeriffWebhookReader } from '../../src/features/kyc/providers/veriff';
import { KYC_TEST_SECRETS as S, providerWebhook, startFakeKycProviders } from '../helpers/kyc-providers';
import { layoutOf, nonConformities } from '../helpers/payload-shape';

const fixture = (path: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', path), 'utf8'));
const at = Date.UTC(2026, 10, 30, 9, 8, 7, 654);
const fake = (provider: 'SUMSUB' | 'ONFIDO' | 'VERIFF', verdict: 'APPROVED' | 'REJECTED' | 'RETRY' | 'REVIEW') =>
  JSON.parse(providerWebhook(provider, { userId: 'user-1', providerId: 'p-1', verdict, at }).body);

describe('fake Sumsub webhooks match the documented payloads', () => {
  // The review examples are minimal; the workflow one shows the envelope fields every event carries.
  const documented = (file: string) => ({
    ...fixture('sumsub/applicant-workflow-completed-red.json'),
    ...fixture(`sumsub/${file}`),
  });

  it.each([
    ['APPROVED', 'applicant-reviewed-green.json'],
    ['REJECTED', 'applicant-reviewed-red-final.json'],
    ['RETRY', 'applicant-reviewed-red-final.json'],
  ] as const)('%s is shaped like %s', (verdict, file) => {
    expect(nonConformities(fake('SUMSUB', verdict), documented(file))).toEqual([]);
  });

  it('carries every field of the documented example, and its times in the documented layouts', () => {
    const published = fixture('sumsub/applicant-workflow-completed-red.json');
    const ours = fake('SUMSUB', 'REJECTED');
    const { buttonIds: _notSent, ...publishedReview } = published.reviewResult;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(published).sort());
    expect(Object.keys(ours.reviewResult).sort()).toEqual(
      [...Object.keys(publishedReview), 'moderationComment'].sort(),
    );
    expect(layoutOf(ours.createdAtMs)).toBe(layoutOf(published.createdAtMs)); // 9999-99-99 99:99:99.999
    expect(layoutOf(ours.createdAt)).toBe(layoutOf(published.createdAt)); // 9999-99-99 99:99:99+9999
    expect(ours.createdAtMs).toBe('2026-11-30 09:08:07.654'); // UTC
  });

  it('an applicantWorkflowCompleted from the fake is shaped like the documented one', () => {
    const hook = providerWebhook('SUMSUB', {
      userId: 'u',
      providerId: 'p',
      verdict: 'REJECTED',
      sumsubType: 'applicantWorkflowCompleted',
    });
    const workflow = fixture('sumsub/applicant-workflow-completed-red.json');
    // Its reviewResult fields as documented for a RED review (moderationComment included).
    const reviewResult = {
      ...fixture('sumsub/applicant-reviewed-red-final.json').reviewResult,
      ...workflow.reviewResult,
    };
    expect(nonConformities(JSON.parse(hook.body), { ...workflow, reviewResult })).toEqual([]);
  });

  it('the real reader takes the fake event time for the instant it was given', () => {
    const hook = providerWebhook('SUMSUB', { userId: 'u', providerId: 'p', verdict: 'APPROVED', at });
    const reader = new SumsubWebhookReader(S.SUMSUB_WEBHOOK_SECRET);
    expect(reader.read(JSON.parse(hook.body), Buffer.from(hook.body))?.result.occurredAt).toBe(at);
  });
});

describe('fake Veriff webhooks match the documented decision webhook', () => {
  it.each(['APPROVED', 'REVIEW'] as const)('%s is shaped like the documented decision', (verdict) => {
    expect(nonConformities(fake('VERIFF', verdict), fixture('veriff/decision-approved.json'))).toEqual([]);
  });

  it("with a document birth date, the person is shaped like the documented decision's", () => {
    const hook = providerWebhook('VERIFF', {
      userId: 'u',
      providerId: 'p',
      verdict: 'APPROVED',
      dateOfBirth: '1961-04-12',
    });
    expect(nonConformities(JSON.parse(hook.body), fixture('veriff/decision-approved.json'))).toEqual([]);
    expect(JSON.parse(hook.body).verification.person.dateOfBirth).toBe('1961-04-12');
  });

  it('uses only code/status pairs of the published status table', () => {
    const table = fixture('veriff/decision-codes.json').decisions.map((d: any) => `${d.code} ${d.status}`);
    for (const verdict of ['APPROVED', 'REJECTED', 'RETRY', 'REVIEW'] as const) {
      const { verification } = fake('VERIFF', verdict);
      expect(table).toContain(`${verification.code} ${verification.status}`);
    }
  });

  it('is read by the real reader', () => {
    const reader = new VeriffWebhookReader({ apiKey: S.VERIFF_API_KEY, sharedSecret: S.VERIFF_SHARED_SECRET });
    const hook = providerWebhook('VERIFF', { userId: 'u', providerId: 'p', verdict: 'APPROVED', at });
    expect(() => reader.verify(hook.headers, Buffer.from(hook.body))).not.toThrow();
    expect(reader.read(JSON.parse(hook.body), Buffer.from(hook.body))?.result.occurredAt).toBe(at);
  });
});

describe('fake Onfido webhooks match the SDK schema and test vectors', () => {
  const schema = fixture('onfido/webhook-event-schema.json');
  const vector = JSON.parse(fixture('onfido/sdk-webhook-vectors.json').vectors[0].rawBody);

  it.each(['APPROVED', 'REJECTED', 'RETRY', 'REVIEW'] as const)('%s uses only SDK fields and values', (verdict) => {
    const body = fake('ONFIDO', verdict);
    expect(Object.keys(body)).toEqual(schema.envelope);
    const { payload } = body;
    for (const key of Object.keys(payload)) expect(schema.payloadFields).toContain(key);
    expect(schema.resourceTypes).toContain(payload.resource_type);
    expect(schema.actions).toContain(payload.action);
    expect(schema.workflowRunStatuses).toContain(payload.object.status);
    for (const [key, value] of Object.entries(payload.object)) {
      expect(schema.objectFields).toHaveProperty(key);
      expect(typeof value).toBe(schema.objectFields[key]);
    }
    // Timestamps in the SDK vectors' layout: whole seconds, Z.
    expect(layoutOf(payload.object.completed_at_iso8601)).toBe(layoutOf(vector.payload.object.completed_at_iso8601));
    expect(layoutOf(payload.object.started_at_iso8601)).toBe(layoutOf(vector.payload.object.completed_at_iso8601));
  });

  it('is read by the real reader', () => {
    const reader = new OnfidoWebhookReader(S.ONFIDO_WEBHOOK_TOKEN);
    const hook = providerWebhook('ONFIDO', {
      userId: 'u',
      providerId: 'p',
      verdict: 'APPROVED',
      at: 1_700_000_000_000,
    });
    expect(() => reader.verify(hook.headers, Buffer.from(hook.body))).not.toThrow();
    expect(reader.read(JSON.parse(hook.body), Buffer.from(hook.body))?.result.occurredAt).toBe(1_700_000_000_000);
  });
});

describe('fake Sumsub API', () => {
  it('refuses an applicant whose country is not ISO 3166-1 alpha-3, as the examples never send one', async () => {
    const providers = await startFakeKycProviders();
    const { createHmac } = await import('node:crypto');
    const send = async (country: string) => {
      const path = '/resources/applicants?levelName=basic-kyc-level';
      const body = JSON.stringify({ externalUserId: 'u', fixedInfo: { country } });
      const ts = '1700000000';
      const sig = createHmac('sha256', S.SUMSUB_SECRET_KEY)
        .update(ts + 'POST' + path + body)
        .digest('hex');
      const res = await fetch(providers.url + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-app-token': S.SUMSUB_APP_TOKEN,
          'x-app-access-ts': ts,
          'x-app-access-sig': sig,
        },
        body,
      });
      return res.status;
    };
    try {
      const { examples } = fixture('sumsub/country-examples.json');
      expect(await send(examples[0].country)).toBe(201);
      expect(await send('GB')).toBe(400);
    } finally {
      await providers.close();
    }
  });
});
