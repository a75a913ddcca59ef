import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Credentials the fake provider APIs check and the test configuration uses. */
export const KYC_TEST_SECRETS = {
  SUMSUB_APP_TOKEN: 'sbx:test-app-token',
  SUMSUB_SECRET_KEY: 'sumsub-secret-key',
  SUMSUB_WEBHOOK_SECRET: 'sumsub-webhook-secret',
  ONFIDO_API_TOKEN: 'api_sandbox.onfido-token',
  ONFIDO_WORKFLOW_ID: 'wf-onfido-kyc',
  ONFIDO_WEBHOOK_TOKEN: 'onfido-webhook-token',
  VERIFF_API_KEY: 'veriff-api-key',
  VERIFF_SHARED_SECRET: 'veriff-shared-secret',
  KYC_LOCAL_WEBHOOK_SECRET: 'local-kyc-webhook-secret',
};

const hmac = (alg: string, secret: string, data: string) => createHmac(alg, secret).update(data).digest('hex');

export interface RecordedCall {
  provider: string;
  method: string;
  path: string;
  body: any;
}

/**
 * One local HTTP server speaking the three providers' verification-creation APIs, checking
 * their real authentication (Sumsub request signature, Onfido token header, Veriff client key
 * and body HMAC) and answering 401 like they do when it is wrong. Sumsub's applicant creation
 * also refuses a country that is not ISO 3166-1 alpha-3, the form of Sumsub's own examples.
 * test/unit/kyc-fake-providers.test.ts holds this server and `providerWebhook` to the
 * providers' published material in test/fixtures, so neither can drift from the real format.
 */
export async function startFakeKycProviders(): Promise<{
  url: string;
  calls: RecordedCall[];
  close: () => Promise<void>;
}> {
  const calls: RecordedCall[] = [];
  let n = 0;
  const s = KYC_TEST_SECRETS;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const h = (name: string) => req.headers[name.toLowerCase()] as string | undefined;
    n += 1;
    const id = `${n}-${randomUUID().slice(0, 8)}`; // unique across runs: the test database persists

    if (req.method === 'POST' && path.startsWith('/resources/applicants')) {
      const ts = h('x-app-access-ts') ?? '';
      const ok =
        h('x-app-token') === s.SUMSUB_APP_TOKEN &&
        h('x-app-access-sig') === hmac('sha256', s.SUMSUB_SECRET_KEY, ts + 'POST' + path + raw);
      if (!ok) return reply(401, { description: 'Request signature mismatch', code: 401 });
      const body = JSON.parse(raw);
      const country = body.fixedInfo?.country;
      if (country !== undefined && !/^[A-Z]{3}$/.test(country)) {
        return reply(400, { description: `Invalid country code: ${country} (ISO 3166-1 alpha-3 expected)`, code: 400 });
      }
      calls.push({ provider: 'SUMSUB', method: 'POST', path, body });
      return reply(201, { id: `sumsub-app-${id}`, externalUserId: body.externalUserId });
    }
    if (req.method === 'POST' && (path === '/v3.6/applicants' || path === '/v3.6/workflow_runs')) {
      if (h('authorization') !== `Token token=${s.ONFIDO_API_TOKEN}`)
        return reply(401, { error: { type: 'authorization_error' } });
      calls.push({ provider: 'ONFIDO', method: 'POST', path, body: JSON.parse(raw) });
      return reply(201, {
        id: path.endsWith('applicants') ? `onfido-applicant-${id}` : `onfido-run-${id}`,
        status: 'awaiting_input',
      });
    }
    if (req.method === 'POST' && path === '/v1/sessions') {
      if (
        h('x-auth-client') !== s.VERIFF_API_KEY ||
        h('x-hmac-signature') !== hmac('sha256', s.VERIFF_SHARED_SECRET, raw)
      ) {
        return reply(401, {
          status: 'fail',
          code: '1102',
          message: 'Mandatory X-AUTH-CLIENT header containing the API key is missing',
        });
      }
      calls.push({ provider: 'VERIFF', method: 'POST', path, body: JSON.parse(raw) });
      return reply(201, {
        status: 'success',
        verification: { id: `veriff-session-${id}`, url: 'https://alchemy.veriff.com/v/x', status: 'created' },
      });
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

/** What the provider reports: a decision, a retry, or "a person is reviewing it" (no decision yet). */
export type Verdict = 'APPROVED' | 'REJECTED' | 'RETRY' | 'REVIEW';

/** Sumsub's UTC date-times: createdAtMs `yyyy-MM-dd HH:mm:ss.fff`, createdAt `yyyy-MM-dd HH:mm:ss+0000`. */
const sumsubDateTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
const sumsubCreatedAt = (ms: number) => `${sumsubDateTime(ms).slice(0, 19)}+0000`;
/** Onfido's timestamps carry whole seconds: `2020-01-01T00:00:00Z`. */
const onfidoTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A webhook exactly as each provider would send it for `verdict`, signed with the test secret. */
export function providerWebhook(
  provider: 'SUMSUB' | 'ONFIDO' | 'VERIFF' | 'LOCAL',
  opts: {
    userId: string;
    providerId: string;
    verdict: Verdict;
    at?: number;
    alg?: 'HMAC_SHA1_HEX' | 'HMAC_SHA256_HEX' | 'HMAC_SHA512_HEX';
    /** Sumsub: a workflow-based level reports its result as applicantWorkflowCompleted. */
    sumsubType?: 'applicantReviewed' | 'applicantWorkflowCompleted';
    /** Onfido: any workflow run status, instead of the one `verdict` stands for. */
    onfidoStatus?: string;
    /** Veriff and LOCAL: the birth date read from the document (Veriff `person.dateOfBirth`). */
    dateOfBirth?: string | null;
  },
): SignedWebhook {
  const at = opts.at ?? Date.now();
  const s = KYC_TEST_SECRETS;
  switch (provider) {
    case 'SUMSUB': {
      const common = {
        applicantId: opts.providerId,
        inspectionId: `insp-${opts.providerId}`,
        applicantType: 'individual',
        correlationId: `req-${randomUUID()}`,
        levelName: 'basic-kyc-level',
        sandboxMode: false,
        externalUserId: opts.userId,
      };
      const times = { createdAt: sumsubCreatedAt(at), createdAtMs: sumsubDateTime(at), clientId: 'coolClientId' };
      const body = JSON.stringify(
        opts.verdict === 'REVIEW'
          ? { ...common, type: 'applicantOnHold', reviewStatus: 'onHold', ...times }
          : {
              ...common,
              type: opts.sumsubType ?? 'applicantReviewed',
              reviewResult:
                opts.verdict === 'APPROVED'
                  ? { reviewAnswer: 'GREEN' }
                  : {
                      moderationComment: opts.verdict === 'RETRY' ? 'Please upload the back side' : 'Forged document',
                      reviewAnswer: 'RED',
                      rejectLabels: ['DOCUMENT_PAGE_MISSING'],
                      reviewRejectType: opts.verdict === 'RETRY' ? 'RETRY' : 'FINAL',
                    },
              reviewStatus: 'completed',
              ...times,
            },
      );
      const alg = opts.alg ?? 'HMAC_SHA256_HEX';
      const hash = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' }[alg];
      return {
        body,
        headers: { 'x-payload-digest': hmac(hash, s.SUMSUB_WEBHOOK_SECRET, body), 'x-payload-digest-alg': alg },
      };
    }
    case 'ONFIDO': {
      const status =
        opts.onfidoStatus ??
        { APPROVED: 'approved', REJECTED: 'declined', RETRY: 'abandoned', REVIEW: 'review' }[opts.verdict];
      const body = JSON.stringify({
        payload: {
          resource_type: 'workflow_run',
          action: 'workflow_run.completed',
          object: {
            id: opts.providerId,
            status,
            started_at_iso8601: onfidoTime(at - 60_000),
            completed_at_iso8601: onfidoTime(at),
            href: `https://api.eu.onfido.com/v3.6/workflow_runs/${opts.providerId}`,
          },
        },
      });
      return { body, headers: { 'x-sha2-signature': hmac('sha256', s.ONFIDO_WEBHOOK_TOKEN, body) } };
    }
    case 'VERIFF': {
      const [code, status] = {
        APPROVED: [9001, 'approved'],
        REJECTED: [9102, 'declined'],
        RETRY: [9103, 'resubmission_requested'],
        REVIEW: [9121, 'review'],
      }[opts.verdict] as [number, string];
      const body = JSON.stringify({
        status: 'success',
        verification: {
          id: opts.providerId,
          code,
          status,
          vendorData: opts.userId,
          // As in Veriff's published decision example (test/fixtures/veriff/decision-approved.json).
          ...(opts.dateOfBirth !== undefined
            ? { person: { firstName: 'SARAH', lastName: 'MORGAN', dateOfBirth: opts.dateOfBirth } }
            : {}),
          reason: opts.verdict === 'APPROVED' || opts.verdict === 'REVIEW' ? null : 'Physical document not used',
          reasonCode: opts.verdict === 'APPROVED' || opts.verdict === 'REVIEW' ? null : 102,
          decisionTime: new Date(at).toISOString(),
          acceptanceTime: new Date(at - 60_000).toISOString(),
        },
        technicalData: { ip: '127.0.0.1' },
      });
      return {
        body,
        headers: {
          'x-auth-client': s.VERIFF_API_KEY,
          'x-hmac-signature': hmac('sha256', s.VERIFF_SHARED_SECRET, body),
        },
      };
    }
    case 'LOCAL': {
      const body = JSON.stringify({
        userId: opts.userId,
        providerId: opts.providerId,
        outcome: opts.verdict,
        occurredAt: at,
        ...(opts.dateOfBirth ? { dateOfBirth: opts.dateOfBirth } : {}),
      });
      return { body, headers: { 'x-local-signature': hmac('sha256', s.KYC_LOCAL_WEBHOOK_SECRET, body) } };
    }
  }
}
