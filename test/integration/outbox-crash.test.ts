/**
 * A process killed with SIGKILL right after a money movement commits loses none of the
 * movement's consequences and repeats none of them: they were written to the outbox in the same
 * transaction, and the relay delivers each once. Crash points (kernel/faults.ts) are armed only
 * through FAULT_CRASH_POINTS, which the configuration accepts only with NODE_ENV=test.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../scripts/stack/net';
import { tradeIdFor } from '../../src/features/binary/client';
import type { BullEmailQueue } from '../../src/features/notifications/email-queue';
import { startOutboxRelay } from '../../src/main/outbox';
import type { AppContext } from '../../src/main/context';
import { taskQueuesWithPrefix } from '../../src/kernel/temporal/task-queues';
import { createTestContext, startTestApi, testBundleWithoutKey } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser } from '../helpers/http';
import { LiveClient } from '../helpers/live-client';
import { outboxDelivered } from '../helpers/outbox';
import { childEnv, startApiProcess, startWorkerProcess, stopAllProcesses } from '../helpers/processes';

const REDIS_PREFIX = `test-crash-${randomUUID().slice(0, 8)}`;
const TASK_QUEUE_PREFIX = `${REDIS_PREFIX}-`;
const JWT_SECRET = `crash-secret-${randomUUID()}`;
const shared = { REDIS_PREFIX, JWT_SECRET, TASK_QUEUE_PREFIX, QUEUE_METRICS_BROADCAST_MS: '0' };

let ctx: AppContext;
const clients: LiveClient[] = [];
let relay: Promise<unknown> | undefined;
const relayHere = () => (relay ??= startOutboxRelay(ctx));

// Two worker processes start in the binary case; a prebuilt bundle spares each the bundling.
const bundlePath = join(tmpdir(), `${REDIS_PREFIX}-workflows.js`);

beforeAll(async () => {
  // The test's own process plays the relay (and, for the binary case, the API): same channel.
  ctx = await createTestContext(shared, taskQueuesWithPrefix(TASK_QUEUE_PREFIX));
  // As built (an empty signing-key slot): each worker process puts its own key in at start.
  writeFileSync(bundlePath, (await testBundleWithoutKey()).code);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAllProcesses();
  await ctx.shutdown.run('test done');
});

const sql = <T>(query: string, params: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(query, params);

async function emailJobsTo(email: string, template: string) {
  const jobs = await (ctx.email as BullEmailQueue).queue.getJobs(['waiting', 'active', 'completed', 'delayed']);
  return jobs.filter((j) => j.data.to === email && j.data.template === template);
}

it('SIGKILL right after a withdrawal commits: after a restart the AML run, the email and the balance event happen once', async () => {
  const [portA, portB] = (await freePorts(2)) as [number, number];
  const a = await startApiProcess(
    'api-a',
    portA,
    childEnv({ ...shared, FAULT_CRASH_POINTS: 'wallet.withdrawal.committed' }),
  );
  const httpA = httpClient(a.url);
  const user = await registerUser(httpA);
  await sql(`update users set kyc_status = 'APPROVED' where id = ?`, [user.id]);
  const deposit = await httpA.post('/wallet/deposit', { amount: '100.00' }, user.token, {
    'idempotency-key': `dep-${randomUUID()}`,
  });
  expect(deposit.status).toBe(201);

  const key = `wd-${randomUUID()}`;
  const lost = await httpA
    .post('/wallet/withdraw', { amount: '10.00' }, user.token, { 'idempotency-key': key })
    .catch((err: Error) => err);
  expect(lost).toHaveProperty('message', 'fetch failed'); // the connection died with the process
  expect(await a.exited).toBe('SIGKILL');
  const [committed] = await sql<{ id: string }>(`select id from ledger_transactions where idempotency_key = ?`, [
    `withdrawal-${user.id}-${key}`,
  ]);
  expect(committed).toBeDefined(); // the movement had committed before the kill

  const b = await startApiProcess('api-b', portB, childEnv(shared));
  const httpB = httpClient(b.url);
  const live = await LiveClient.connect(b.url, user.token);
  clients.push(live);
  // The client retries with the same key: the same transaction answers, nothing moves again.
  const retried = await httpB.post('/wallet/withdraw', { amount: '10.00' }, user.token, { 'idempotency-key': key });
  expect(retried.status).toBe(201);
  expect(retried.body).toMatchObject({ transactionId: committed!.id, balance: 9000 });

  await relayHere();
  await outboxDelivered(ctx.orm);
  // A later movement's event is the marker: the relay publishes in order, so once it has
  // arrived, every earlier event has too.
  await httpB.post('/wallet/deposit', { amount: '1.00' }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
  await live.waitFor('wallet:balance', (p) => p.balance === 9100);

  expect(live.of('wallet:balance', (p) => p.balance === 9000)).toHaveLength(1);
  expect(await emailJobsTo(user.email, 'withdrawal-approved')).toHaveLength(1);
  const amlRuns = await sql<{ n: string }>(
    `select count(*) n from aml_checks where user_id = ? and metadata->>'trigger' = 'withdrawal'`,
    [user.id],
  );
  expect(Number(amlRuns[0]!.n)).toBe(1);
  expect(
    Number(
      (
        await sql<{ n: string }>(
          `select count(*) n from ledger_transactions where kind = 'withdrawal' and idempotency_key like ?`,
          [`withdrawal-${user.id}-%`],
        )
      )[0]!.n,
    ),
  ).toBe(1);
});

it('SIGKILL right after a binary settlement commits: one payout and one binary:resolved after the retry', async () => {
  const api = await startTestApi(ctx);
  const http = httpClient(api.url);
  const user = await registerUser(http);
  const live = await LiveClient.connect(api.url, user.token);
  clients.push(live);
  await http.post('/wallet/deposit', { amount: '50.00' }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
  // Armed for this trade only: the worker's reconciliation may resume a leftover overdue trade of
  // another test (the database is shared) and settle it first.
  const openKey = `open-${randomUUID()}`;
  const crashing = await startWorkerProcess(
    'worker-crashing',
    childEnv({
      ...shared,
      TEMPORAL_WORKFLOW_BUNDLE: bundlePath,
      FAULT_CRASH_POINTS: `binary.settled@${tradeIdFor(user.id, openKey)}`,
    }),
  );
  const opened = await http.post(
    '/binary/open',
    { symbol: 'BTCUSD', direction: 'UP', stake: '10.00', expiry: 2 },
    user.token,
    { 'idempotency-key': openKey },
  );
  expect(opened.status).toBe(201);
  const tradeId = opened.body.id as string;

  expect(await crashing.exited).toBe('SIGKILL'); // died right after the settlement committed
  const [settled] = await sql<{ status: string; payout: string }>(
    `select status, payout from binary_trades where id = ?`,
    [tradeId],
  );
  expect(['WON', 'LOST', 'TIE']).toContain(settled!.status);

  // A new worker retries the activity (after its start-to-close timeout): it finds the trade settled.
  await startWorkerProcess('worker-after', childEnv({ ...shared, TEMPORAL_WORKFLOW_BUNDLE: bundlePath }));
  await relayHere();
  await eventually(
    async () => (await ctx.temporal.workflow.getHandle(`binary-${tradeId}`).describe()).status.name === 'COMPLETED',
    90_000,
    'the binary workflow to complete after the retry',
  );
  await outboxDelivered(ctx.orm);
  await http.post('/wallet/deposit', { amount: '1.00' }, user.token, { 'idempotency-key': `dep-${randomUUID()}` });
  const expected = 4000 + Number(settled!.payout) + 100;
  await live.waitFor('wallet:balance', (p) => p.balance === expected);

  expect(live.of('binary:resolved', (p) => p.tradeId === tradeId)).toHaveLength(1);
  const payouts = await sql<{ n: string }>(`select count(*) n from ledger_transactions where idempotency_key = ?`, [
    `binary-${tradeId}-settle`,
  ]);
  expect(Number(payouts[0]!.n)).toBe(1);
  const [escrow] = await sql<{ sum: string }>(
    `select coalesce(sum(e.amount), 0) sum from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
     where e.account = 'system:binary-escrow' and t.idempotency_key like ?`,
    [`binary-${tradeId}-%`],
  );
  expect(Number(escrow!.sum)).toBe(0);
}, 360_000);
