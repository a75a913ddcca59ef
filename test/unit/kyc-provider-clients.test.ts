import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerRequest } from '../../src/features/kyc/providers/http';
import { LocalKycClient } from '../../src/features/kyc/providers/local';
import { OnfidoClient } from '../../src/features/kyc/providers/onfido';
import { SumsubClient } from '../../src/features/kyc/providers/sumsub';
import { ProviderRejectedError } from '../../src/features/kyc/providers/types';
import { VeriffClient } from '../../src/features/kyc/providers/veriff';
import { KYC_TEST_SECRETS as S, startFakeKycProviders } from '../helpers/kyc-providers';

/**
 * The provider API clients against the local server that speaks the providers' creation APIs and
 * checks their authentication (test/helpers/kyc-providers.ts, itself held to the providers'
 * published material): a wrong header, path or signature gets the provider's 401 or 404 and the
 * client throws. The request bodies are checked field by field against the providers' API
 * references (Onfido v3.6 applicants and workflow_runs, Veriff POST /v1/sessions, Sumsub
 * POST /resources/applicants).
 */
let providers: Awaited<ReturnType<typeof startFakeKycProviders>>;
beforeAll(async () => {
  providers = await startFakeKycProviders();
});
afterAll(() => providers.close());
beforeEach(() => providers.calls.splice(0));

const applicant = { userId: 'user-42', email: 'ada@example.com', fullName: 'Ada King Lovelace', country: 'GB' };

describe('Onfido client', () => {
  it('creates an applicant, then a workflow run for it, and returns the run id', async () => {
    const client = new OnfidoClient({ baseUrl: providers.url, apiToken: S.ONFIDO_API_TOKEN, workflowId: 'wf-1' });
    const { providerId } = await client.createVerification(applicant);
    expect(providers.calls.map((c) => c.path)).toEqual(['/v3.6/applicants', '/v3.6/workflow_runs']);
    expect(providers.calls[0]!.body).toEqual({
      first_name: 'Ada',
      last_name: 'King Lovelace',
      email: 'ada@example.com',
    });
    expect(providerId).toMatch(/^onfido-run-/); // the run's id, which the webhooks report
    expect(providers.calls[1]!.body).toEqual({
      workflow_id: 'wf-1',
      applicant_id: expect.stringMatching(/^onfido-applicant-/),
      customer_user_id: 'user-42',
    });
  });

  it('a wrong API token is the provider 401, a permanent failure', async () => {
    const client = new OnfidoClient({ baseUrl: providers.url, apiToken: 'wrong', workflowId: 'wf-1' });
    const failure = await client.createVerification(applicant).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProviderRejectedError);
    expect((failure as ProviderRejectedError).status).toBe(401);
    expect((failure as Error).message).toContain('Onfido POST /v3.6/applicants answered 401');
  });
});

describe('Veriff client', () => {
  it('creates a session with the person and our user id as vendorData, signed with the shared secret', async () => {
    const client = new VeriffClient({
      baseUrl: providers.url,
      apiKey: S.VERIFF_API_KEY,
      sharedSecret: S.VERIFF_SHARED_SECRET,
    });
    const { providerId } = await client.createVerification(applicant);
    expect(providerId).toMatch(/^veriff-session-/);
    expect(providers.calls).toEqual([
      {
        provider: 'VERIFF',
        method: 'POST',
        path: '/v1/sessions',
        body: { verification: { person: { firstName: 'Ada', lastName: 'King Lovelace' }, vendorData: 'user-42' } },
      },
    ]);
  });

  it('a wrong shared secret is refused by the provider (401)', async () => {
    const client = new VeriffClient({ baseUrl: providers.url, apiKey: S.VERIFF_API_KEY, sharedSecret: 'wrong' });
    await expect(client.createVerification(applicant)).rejects.toThrow('Veriff POST /v1/sessions answered 401');
  });
});

describe('Sumsub client', () => {
  const settings = {
    baseUrl: '',
    appToken: S.SUMSUB_APP_TOKEN,
    secretKey: S.SUMSUB_SECRET_KEY,
    levelName: 'basic kyc',
  };

  it('creates an applicant at the level, with the ISO alpha-3 country, signed request', async () => {
    const client = new SumsubClient({ ...settings, baseUrl: providers.url });
    const { providerId } = await client.createVerification(applicant);
    expect(providerId).toMatch(/^sumsub-app-/);
    expect(providers.calls).toEqual([
      {
        provider: 'SUMSUB',
        method: 'POST',
        path: '/resources/applicants?levelName=basic%20kyc',
        body: {
          externalUserId: 'user-42',
          email: 'ada@example.com',
          fixedInfo: { firstName: 'Ada', lastName: 'King Lovelace', country: 'GBR' },
        },
      },
    ]);
  });

  it('a country outside ISO 3166-1 (XK) is left out rather than sent in a form Sumsub refuses', async () => {
    const client = new SumsubClient({ ...settings, baseUrl: providers.url });
    await client.createVerification({ ...applicant, country: 'XK', fullName: 'Cher' });
    expect(providers.calls[0]!.body.fixedInfo).toEqual({ firstName: 'Cher', lastName: 'Cher' });
  });

  it('signs with the current Unix time in seconds (X-App-Access-Ts)', async () => {
    const before = Math.floor(Date.now() / 1000);
    const seen: string[] = [];
    const server = await listen((req, res) => {
      seen.push(String(req.headers['x-app-access-ts']));
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"a1"}');
    });
    try {
      await new SumsubClient({ ...settings, baseUrl: server.url }).createVerification(applicant);
    } finally {
      await server.close();
    }
    const ts = Number(seen[0]);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('a wrong secret key is the provider 401', async () => {
    const client = new SumsubClient({ ...settings, baseUrl: providers.url, secretKey: 'wrong' });
    await expect(client.createVerification(applicant)).rejects.toThrow(ProviderRejectedError);
  });
});

describe('LOCAL client', () => {
  it('creates a verification at once, with a fresh local id each time', async () => {
    const client = new LocalKycClient();
    const a = await client.createVerification();
    const b = await client.createVerification();
    expect(a.providerId).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(b.providerId).not.toBe(a.providerId);
  });
});

describe('providerRequest: which failures are permanent', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen((req, res) => {
      const status = Number(req.url!.slice(1));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ answered: status }));
    });
  });
  afterAll(() => server.close());
  const call = (status: number) =>
    providerRequest<{ answered: number }>(`${server.url}/${status}`, { method: 'POST', headers: {} }, 'Acme');

  it('a 2xx answer is parsed', async () => {
    await expect(call(201)).resolves.toEqual({ answered: 201 });
  });

  it.each([400, 401, 404, 422, 499])(
    '%i is permanent (ProviderRejectedError), with provider, path and body',
    async (status) => {
      const failure = (await call(status).catch((e: unknown) => e)) as ProviderRejectedError;
      expect(failure).toBeInstanceOf(ProviderRejectedError);
      expect(failure.status).toBe(status);
      expect(failure.message).toBe(`Acme POST /${status} answered ${status}: {"answered":${status}}`);
    },
  );

  it.each([429, 500, 502, 503])('%i may be retried: a plain error, not ProviderRejectedError', async (status) => {
    const failure = (await call(status).catch((e: unknown) => e)) as Error;
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ProviderRejectedError);
    expect(failure.message).toBe(`Acme POST /${status} answered ${status}: {"answered":${status}}`);
  });
});

async function listen(
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
