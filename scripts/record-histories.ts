/**
 * Records one Temporal history per workflow path into test/histories/<workflow>/<path>.json,
 * by driving each path for real: the API and the worker of this checkout on a private Temporal
 * dev server, the test database and Redis db 15 (the jest global setup prepares them), fake KYC
 * providers and a fake exchange standing in for the outside world.
 *
 *   npm run histories:record                      record every path whose file is missing
 *   npm run histories:record -- kyc-verification/approved binary-trade/won
 *   npm run histories:record -- --force <paths>   record again over existing files
 *
 * Stored histories are the record of what older code did: they are replayed against the current
 * workflows by test/workflows/replay-histories.test.ts. Never re-record a file to make that test
 * pass; record new paths, and keep the old files (README: "Workflow histories").
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import globalSetup from '../test/global-setup';
import globalTeardown from '../test/global-teardown';
import { createTestContext, startTestApi, startTestWorker } from '../test/helpers/context';
import { eventually } from '../test/helpers/eventually';
import { startFakeExchange, type FakeExchange } from '../test/helpers/fake-exchange';
import { createStaff, httpClient, registerUser, type HttpClient, type TestUser } from '../test/helpers/http';
import { KYC_TEST_SECRETS, providerWebhook, startFakeKycProviders } from '../test/helpers/kyc-providers';
import type { AppContext } from '../src/main/context';
import { priceFeedFromConfig } from '../src/features/market';
import { openBinaryTrade } from '../src/features/binary/use-cases';
import { binaryWorkflowId, tradeIdFor } from '../src/features/binary/client';
import { amlCaseQuery, amlWorkflowId } from '../src/features/aml/contract';
import { idempotencyKeyFrom } from '../src/kernel/idempotency';
import { kycWorkflowId } from '../src/features/kyc/cases';

export const HISTORIES_DIR = resolve(__dirname, '..', 'test', 'histories');

interface Env {
  ctx: AppContext;
  http: HttpClient;
  admin: TestUser;
  secondAdmin: TestUser;
}

interface Stack {
  /** KYC with production-like deadlines (days), the fake exchange as market feed, AML reminders every 1.5 s. */
  main: Env;
  /** KYC with a 1.5 s provider deadline and a 5 s hard deadline. */
  fastKyc: Env;
  exchange: FakeExchange;
}

/** A path: drives one workflow to its end and returns its workflow id. */
type Path = (s: Stack) => Promise<string>;

const fail = (what: string, res: { status: number; body: unknown }): never => {
  throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
};

type Row = Record<string, unknown>;
const sql = (env: Env, query: string, params: unknown[] = []) => env.ctx.orm.em.fork().execute<Row[]>(query, params);
const kycRow = async (env: Env, userId: string) => (await sql(env, 'select * from kyc where user_id = ?', [userId]))[0];

async function startKyc(env: Env, user: TestUser): Promise<string> {
  const res = await env.http.post('/kyc/start', { provider: 'SUMSUB' }, user.token);
  if (res.status !== 202) fail('POST /kyc/start', res);
  return eventually(async () => (await kycRow(env, user.id))?.provider_id as string | undefined, 20_000, 'provider id');
}

async function webhook(env: Env, user: TestUser, providerId: string, verdict: 'APPROVED' | 'REJECTED' | 'RETRY') {
  const hook = providerWebhook('SUMSUB', { userId: user.id, providerId, verdict, at: Date.now() });
  const res = await env.http.call('POST', '/kyc/webhook/sumsub', { raw: hook.body, headers: hook.headers });
  if (res.status !== 200 || res.body.outcome !== 'signalled') fail(`webhook ${verdict}`, res);
}

/** Waits for the run to finish and checks it ended where the path says it does. */
async function finished(env: Env, workflowId: string, expected: Record<string, unknown> | null) {
  const result = await env.ctx.temporal.workflow.getHandle(workflowId).result();
  const matches =
    expected === null
      ? result === null
      : Object.entries(expected).every(([k, v]) => JSON.stringify((result as Row | null)?.[k]) === JSON.stringify(v));
  if (!matches) throw new Error(`${workflowId} ended ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`);
  return workflowId;
}

async function kycByProvider(env: Env, verdict: 'APPROVED' | 'REJECTED') {
  const user = await registerUser(env.http);
  await webhook(env, user, await startKyc(env, user), verdict);
  return finished(env, kycWorkflowId(user.id), { status: verdict });
}

async function fundedUser(env: Env, amount: string, fields: { country?: string } = {}): Promise<TestUser> {
  const user = await registerUser(env.http, fields);
  const res = await env.http.post('/wallet/deposit', { amount }, user.token, { 'idempotency-key': randomUUID() });
  if (res.status !== 201) fail('deposit', res);
  return user;
}

/** The exchange is down for the three settlement attempts; an admin's retry then settles WON. */
async function settlementFailedThenRetried(s: Stack) {
  const { main, exchange } = s;
  const user = await fundedUser(main, '100');
  exchange.state.down = true;
  try {
    const res = await main.http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
      user.token,
    );
    if (res.status !== 201) fail('open trade', res);
    const tradeId = res.body.id as string;
    // Three attempts, 2 s then 4 s apart.
    await eventually(
      async () =>
        (await sql(main, 'select status from binary_trades where id = ?', [tradeId]))[0].status === 'SETTLEMENT_FAILED',
      30_000,
      'SETTLEMENT_FAILED',
    );
    exchange.state.down = false;
    exchange.state.closePrice = '43000.10';
    const retry = await main.http.post(`/binary/admin/${tradeId}/retry-settlement`, {}, main.admin.token);
    if (retry.status !== 202) fail('retry settlement', retry);
    return await finished(main, binaryWorkflowId(tradeId), { status: 'WON' });
  } finally {
    exchange.state.down = false;
  }
}

/** A stake beyond the balance: 422, and the workflow ends with nothing opened. */
async function refusedForFunds({ main }: Stack) {
  const user = await fundedUser(main, '10');
  const key = `refused-${randomUUID()}`;
  const res = await main.http.post(
    '/binary/open',
    { symbol: 'BTCUSD', direction: 'UP', stake: '10.01', expiry: 1 },
    user.token,
    {
      'idempotency-key': key,
    },
  );
  if (res.status !== 422) fail('open beyond the balance', res);
  return finished(main, binaryWorkflowId(tradeIdFor(user.id, idempotencyKeyFrom(key))), null);
}

/** An UP trade on BTCUSD opened at 43000.00 whose one-second candle closes at `closePrice`. */
async function binaryOutcome(s: Stack, closePrice: string, expected: string) {
  s.exchange.state.closePrice = closePrice;
  const user = await fundedUser(s.main, '100');
  const res = await s.main.http.post(
    '/binary/open',
    { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
    user.token,
  );
  if (res.status !== 201) fail('open trade', res);
  return finished(s.main, binaryWorkflowId(res.body.id), { status: expected });
}

export const PATHS: Record<string, Path> = {
  'kyc-verification/approved': (s) => kycByProvider(s.main, 'APPROVED'),
  'kyc-verification/rejected': (s) => kycByProvider(s.main, 'REJECTED'),

  'kyc-verification/approved-by-admin': async ({ main }) => {
    const user = await registerUser(main.http);
    await startKyc(main, user);
    const res = await main.http.put(`/kyc/admin/${user.id}/approve`, { notes: 'documents verified' }, main.admin.token);
    if (res.status !== 200) fail('admin approve', res);
    return finished(main, kycWorkflowId(user.id), { status: 'APPROVED' });
  },

  'kyc-verification/retry-resubmitted-approved': async ({ main }) => {
    const user = await registerUser(main.http);
    const first = await startKyc(main, user);
    await webhook(main, user, first, 'RETRY');
    await eventually(async () => (await kycRow(main, user.id)).awaiting_user === true, 20_000, 'awaiting user');
    const again = await main.http.post('/kyc/start', { provider: 'SUMSUB' }, user.token);
    if (again.status !== 202 || !again.body.resubmitted) fail('resubmit', again);
    const second = await eventually(async () => {
      const row = await kycRow(main, user.id);
      return row.attempts === 2 && row.provider_id !== first ? (row.provider_id as string) : undefined;
    });
    await webhook(main, user, second, 'APPROVED');
    return finished(main, kycWorkflowId(user.id), { status: 'APPROVED', attempt: 2 });
  },

  'kyc-verification/retry-limit-rejected': async ({ main }) => {
    const user = await registerUser(main.http);
    await startKyc(main, user);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const providerId = await eventually(async () => {
        const row = await kycRow(main, user.id);
        return row.attempts === attempt && !row.awaiting_user ? (row.provider_id as string) : undefined;
      });
      await webhook(main, user, providerId, 'RETRY');
      if (attempt < 3) {
        await eventually(async () => (await kycRow(main, user.id)).awaiting_user === true);
        const again = await main.http.post('/kyc/start', {}, user.token);
        if (again.status !== 202) fail('resubmit', again);
      }
    }
    return finished(main, kycWorkflowId(user.id), { status: 'REJECTED', reason: 'resubmission limit reached' });
  },

  'kyc-verification/provider-deadline-admin-approved': async ({ fastKyc }) => {
    const user = await registerUser(fastKyc.http);
    await startKyc(fastKyc, user);
    await eventually(async () => (await kycRow(fastKyc, user.id)).needs_manual_review === true, 10_000, 'review flag');
    const res = await fastKyc.http.put(`/kyc/admin/${user.id}/approve`, {}, fastKyc.admin.token);
    if (res.status !== 200) fail('admin approve', res);
    return finished(fastKyc, kycWorkflowId(user.id), { status: 'APPROVED', needsManualReview: true });
  },

  'kyc-verification/hard-deadline-expired': async ({ fastKyc }) => {
    const user = await registerUser(fastKyc.http);
    await startKyc(fastKyc, user);
    return finished(fastKyc, kycWorkflowId(user.id), {
      status: 'REJECTED',
      reason: 'expired',
      needsManualReview: true,
    });
  },

  'binary-trade/won': (s) => binaryOutcome(s, '43000.10', 'WON'),
  'binary-trade/lost': (s) => binaryOutcome(s, '42999.90', 'LOST'),
  'binary-trade/tie': (s) => binaryOutcome(s, '43000.00', 'TIE'),

  // Recorded after the opening became a local activity (patch 'binary-open-local-activity'); the
  // files without the suffix are runs started before it, and stay.
  'binary-trade/won-open-local': (s) => binaryOutcome(s, '43000.10', 'WON'),
  'binary-trade/lost-open-local': (s) => binaryOutcome(s, '42999.90', 'LOST'),
  'binary-trade/settlement-failed-admin-retry-open-local': (s) => settlementFailedThenRetried(s),
  'binary-trade/refused-insufficient-funds-open-local': (s) => refusedForFunds(s),

  'binary-trade/settlement-failed-admin-retry': (s) => settlementFailedThenRetried(s),
  'binary-trade/refused-insufficient-funds': (s) => refusedForFunds(s),

  'binary-trade/resumed-by-reconciler': async (s) => {
    const { main } = s;
    s.exchange.state.closePrice = '42999.90';
    const user = await fundedUser(main, '10');
    const tradeId = randomUUID();
    // A trade whose opening workflow is gone (as after a lost start): a settle-only run finishes it.
    await openBinaryTrade(
      main.ctx.orm.em.fork(),
      priceFeedFromConfig(main.ctx.config, () => main.ctx.orm.em.fork()),
      main.ctx.amlChecks,
      {
        tradeId,
        userId: user.id,
        symbol: 'BTCUSD',
        direction: 'UP',
        stake: 500,
        payoutRateBps: 8500,
        expirySeconds: 1,
      },
    );
    await main.ctx.binaryTrades.resume(tradeId);
    return finished(main, binaryWorkflowId(tradeId), { status: 'LOST' });
  },

  'aml-freeze/unfreeze-two-admins': async ({ main }) => {
    const user = await registerUser(main.http);
    // Eleven deposits within a minute: the velocity rule freezes the account.
    for (let i = 0; i < 11; i++) {
      const res = await main.http.post('/wallet/deposit', { amount: '10' }, user.token, {
        'idempotency-key': randomUUID(),
      });
      if (res.status !== 201) fail('deposit', res);
    }
    const handle = main.ctx.temporal.workflow.getHandle(amlWorkflowId(user.id));
    await eventually(async () => (await handle.query(amlCaseQuery)).findings.length === 1, 20_000, 'the freeze');
    // A second critical finding joins the running case.
    await sql(main, `update users set country = 'KP' where id = ?`, [user.id]);
    const run = await main.http.post(`/aml/admin/users/${user.id}/run`, {}, main.admin.token);
    if (run.status !== 200 || !run.body.freezeRequested) fail('second finding', run);
    await eventually(async () => (await handle.query(amlCaseQuery)).findings.length === 2, 20_000, 'second finding');
    await eventually(async () => (await handle.query(amlCaseQuery)).remindersSent >= 1, 20_000, 'a reminder');
    const path = `/aml/admin/users/${user.id}/decision`;
    const first = await main.http.put(path, { decision: 'UNFREEZE', notes: 'velocity explained' }, main.admin.token);
    if (first.status !== 200) fail('first approval', first);
    const second = await main.http.put(path, { decision: 'UNFREEZE' }, main.secondAdmin.token);
    if (second.status !== 200) fail('second approval', second);
    return finished(main, amlWorkflowId(user.id), { status: 'UNFROZEN' });
  },

  'aml-freeze/keep-frozen': async ({ main }) => {
    const user = await fundedUser(main, '10', { country: 'IR' });
    const handle = main.ctx.temporal.workflow.getHandle(amlWorkflowId(user.id));
    await eventually(async () => (await handle.query(amlCaseQuery)).status === 'FROZEN', 20_000, 'the freeze');
    await eventually(
      async () => (await sql(main, 'select status from users where id = ?', [user.id]))[0].status === 'FROZEN',
    );
    const res = await main.http.put(
      `/aml/admin/users/${user.id}/decision`,
      { decision: 'KEEP_FROZEN', notes: 'sanctioned jurisdiction' },
      main.admin.token,
    );
    if (res.status !== 200) fail('keep frozen', res);
    return finished(main, amlWorkflowId(user.id), { status: 'CLOSED_FROZEN' });
  },
};

async function startEnv(overrides: Record<string, string>): Promise<Env> {
  const ctx = await createTestContext(overrides);
  await startTestWorker(ctx);
  const http = httpClient((await startTestApi(ctx)).url);
  return { ctx, http, admin: await createStaff(ctx, 'ADMIN'), secondAdmin: await createStaff(ctx, 'MASTER') };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const named = args.filter((a) => a !== '--force');
  const unknown = named.filter((n) => !(n in PATHS));
  if (unknown.length)
    throw new Error(`unknown path(s): ${unknown.join(', ')}; known: ${Object.keys(PATHS).join(', ')}`);
  const wanted = (named.length ? named : Object.keys(PATHS)).filter(
    (name) => force || !existsSync(join(HISTORIES_DIR, `${name}.json`)),
  );
  if (!wanted.length) {
    process.stdout.write('every history is already recorded (name paths with --force to record them again)\n');
    return;
  }

  process.env.TEST_LOG_LEVEL ??= 'warn';
  // Worker state changes at INFO would bury the one line printed per recorded path.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await globalSetup();
  const providers = await startFakeKycProviders();
  const exchange = await startFakeExchange();
  const kyc = {
    ...KYC_TEST_SECRETS,
    SUMSUB_BASE_URL: providers.url,
    ONFIDO_BASE_URL: providers.url,
    VERIFF_BASE_URL: providers.url,
  };
  const envs: Env[] = [];
  try {
    const stack: Stack = {
      main: await startEnv({
        ...kyc,
        MARKET_FEED: 'EXCHANGE',
        EXCHANGE_BASE_URL: exchange.url,
        AML_REMINDER_INTERVAL_MS: '1500',
      }),
      fastKyc: await startEnv({ ...kyc, KYC_PROVIDER_DEADLINE_MS: '1500', KYC_HARD_DEADLINE_MS: '5000' }),
      exchange,
    };
    envs.push(stack.main, stack.fastKyc);
    for (const name of wanted) {
      const workflowId = await PATHS[name]!(stack);
      const history = await stack.main.ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
      const file = join(HISTORIES_DIR, `${name}.json`);
      mkdirSync(dirname(file), { recursive: true });
      const json = `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`;
      writeFileSync(file, json);
      recordWorkflowId(name, workflowId);
      process.stdout.write(
        `${name}: ${history.events?.length} events, ${Math.round(json.length / 1024)} KiB -> ${file}\n`,
      );
    }
  } finally {
    for (const env of envs) await env.ctx.shutdown.run('histories recorded');
    await providers.close();
    await exchange.close();
    await globalTeardown();
  }
}

/**
 * The run's workflow id, kept beside the histories (test/histories/workflow-ids.json): a replay
 * must run under the id the history was recorded with, because signed start inputs and messages
 * are signed for that id (kernel/temporal/signing.ts) and the workflow refuses them under another.
 */
function recordWorkflowId(name: string, workflowId: string) {
  const file = join(HISTORIES_DIR, 'workflow-ids.json');
  const ids = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  ids[name] = workflowId;
  const sorted = Object.fromEntries(Object.entries(ids).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`recording failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
