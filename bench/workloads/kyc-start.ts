/**
 * POST /kyc/start (JWT, the use case, one workflow start) against the raw `client.workflow.start`
 * of the same workflow, from this process, with exactly the options the API sends: the options
 * come from `kycStartOptions` (src/features/kyc/cases.ts, what `KycCases.start` sends: signed
 * input, summary and details, conflict policy FAIL, search attributes) and go through the API's
 * own client (`connectClient`: its connection options and request-id interceptor) inside a
 * request scope, so the request id travels as header and memo as it does from the API. The only
 * difference left between the two sides is the API itself (HTTP, JWT, the reads, Koa).
 *
 * Rows between the two attribute the gap, each against that same baseline in the same round:
 * - the raw start as this workload first sent it (shorter details, USE_EXISTING, no request id):
 *   what the API's options cost the Temporal server, if anything;
 * - the raw start after the two reads the API makes per start (the JWT's account check and the
 *   KYC row), through `pg` from this process: what the reads cost without the API;
 * - the standalone API and the all-in-one process.
 * Every side reports CPU ms per start of the Temporal dev server, the standalone API, the
 * all-in-one process (its worker runs the workflows every row starts), this database's
 * PostgreSQL backends, this process (load generator, and the raw client's own work) and their
 * total: on this 2-core machine the processes share the cores, so the rate follows the total.
 * The API rows' load comes from the raw-socket generator (bench/harness/http-load.ts), not fetch,
 * so the caller's HTTP client is not billed to the API.
 *
 * Every start is a fresh user (one KYC workflow per user). The absolute check: p99 of
 * POST /kyc/start (all-in-one) at half the raw rate of the same round.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { kycStartOptions } from '../../src/features/kyc/cases';
import { KYC_WORKFLOW, kycWorkflowId } from '../../src/features/kyc/contract';
import { runInRequestScope } from '../../src/kernel/request-scope';
import { connectClient } from '../../src/kernel/temporal/connection';
import { KycStatusSearchAttribute, UserIdSearchAttribute } from '../../src/kernel/temporal/search-attributes';
import { actors, WorkflowSigner } from '../../src/kernel/temporal/signing';
import { taskQueuesWithPrefix } from '../../src/kernel/temporal/task-queues';
import { TEST_WORKFLOW_SIGNING_KEY } from '../../test/helpers/signing';
import { startAppProcess, stopAll, measurementMs } from '../harness/app-process';
import { atRate, concurrently } from '../harness/async-load';
import { closedLoop } from '../harness/http-load';
import { cpuMeter, postgresBackendsOf, type CpuGroups } from '../harness/cpu';
import type { BenchEnv, Comparison, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';

const CONCURRENCY = 16;
// Task queues of their own: the thousands of KYC workflows this workload starts must not keep the
// all-in-one processes of the workloads after it busy (they poll the unprefixed queues).
const TASK_QUEUE_PREFIX = 'bench-kyc-';
const taskQueues = taskQueuesWithPrefix(TASK_QUEUE_PREFIX);
// The project's defaults (config.ts), so the signed input is the one the API would send.
const LIMITS = { providerDeadlineMs: 48 * 3600 * 1000, hardDeadlineMs: 30 * 24 * 3600 * 1000, maxAttempts: 3 };
const SETTINGS = { taskQueue: taskQueues.compliance, ...LIMITS };

export const workload: Workload = {
  name: 'kyc-start',
  title: 'POST /kyc/start vs raw client.workflow.start with the API options, with the steps between',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      // The API's client: its connection options and request-id interceptor.
      const apiClient = await connectClient({ address: env.temporalAddress, namespace: 'default' });
      started.push({ stop: () => apiClient.connection.close() });
      // A plain client, as the workload's first baseline used.
      const connection = await Connection.connect({ address: env.temporalAddress });
      started.push({ stop: () => connection.close() });
      const plainClient = new Client({ connection });
      const pool = new Pool({ connectionString: env.databaseUrl, max: 10 });
      started.push({ stop: () => pool.end() });
      const signer = new WorkflowSigner(TEST_WORKFLOW_SIGNING_KEY);
      // Each measurement starts up to ~150/s x its duration workflows, 8 sides a round, 3 rounds.
      const users = await createBenchUsers(env.databaseUrl, env.size === 'full' ? 70_000 : 25_000);
      let next = 0;
      const user = (): BenchUser => {
        if (next >= users.length) throw new Error('kyc-start ran out of fresh users');
        return users[next++]!;
      };
      const api = await startAppProcess('api', env, { TASK_QUEUE_PREFIX }, profileArgs('api'));
      started.push(api);
      const all = await startAppProcess('all', env, { TASK_QUEUE_PREFIX }, profileArgs('all'));
      started.push(all);
      const database = new URL(env.databaseUrl).pathname.slice(1);
      const cpuGroups: CpuGroups = {
        temporal: () => [env.temporalPid],
        api: () => [api.pid],
        all: () => [all.pid],
        postgres: () => postgresBackendsOf(database),
      };

      const apiStart = async (url: string) => {
        const u = user();
        const res = await fetch(`${url}/kyc/start`, {
          method: 'POST',
          headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`POST /kyc/start: ${res.status}`);
      };
      // What the API sends, from here: same client, same options, a request id in scope.
      const rawStartOf = (userId: string) =>
        runInRequestScope({ requestId: randomUUID() }, () =>
          apiClient.workflow.start(KYC_WORKFLOW, kycStartOptions(SETTINGS, signer, userId, 'LOCAL')),
        );
      const rawStart = () => rawStartOf(user().id);
      const previousRawStart = async () => {
        const { id: userId } = user();
        const workflowId = kycWorkflowId(userId);
        const input = { userId, provider: 'LOCAL', ...LIMITS };
        await plainClient.workflow.start(KYC_WORKFLOW, {
          workflowId,
          taskQueue: SETTINGS.taskQueue,
          args: [signer.startInput(workflowId, KYC_WORKFLOW, actors.user(userId), input)],
          staticSummary: `KYC of user ${userId} at LOCAL`,
          staticDetails: `**User:** ${userId}`,
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [
            { key: UserIdSearchAttribute, value: userId },
            { key: KycStatusSearchAttribute, value: 'PENDING' },
          ],
        });
      };
      // The API's reads per start: the JWT's account check (TokenService, a fresh user each time
      // misses its cache) and the KYC row (KycCases.start).
      const readsThenRawStart = async () => {
        const { id: userId } = user();
        await pool.query('select status, role from users where id = $1', [userId]);
        await pool.query('select status from kyc where user_id = $1', [userId]);
        await rawStartOf(userId);
      };

      // CPU ms per start of each process and of all of them: on 2 cores the rate follows the total.
      const withCpu = (cpu: ReturnType<typeof cpuMeter>, starts: number) => {
        const perStart = cpu.perItem(starts);
        const total = Object.values(perStart).reduce((a, b) => a + b, 0);
        return { ...perStart, cpuMs_total: Math.round(total * 100) / 100 };
      };
      const side = (label: string, op: () => Promise<unknown>, onRate?: (perSecond: number) => void): Side => ({
        label,
        measure: async () => {
          const cpu = cpuMeter(cpuGroups);
          let done = 0;
          const m = await concurrently(CONCURRENCY, durationMs, async () => {
            await op();
            done += 1;
          });
          onRate?.(m.perSecond!);
          return { ...m, ...withCpu(cpu, done) };
        },
      });
      // The API sides' load: the raw-socket generator (bench/harness/http-load.ts), so that the
      // caller's HTTP client is not billed to the API (fetch cost about 2 ms of CPU per start in
      // this process, as much as the raw side's whole Temporal client).
      const apiSide = (label: string, url: string): Side => ({
        label,
        measure: async () => {
          const cpu = cpuMeter(cpuGroups);
          const m = await closedLoop({
            url,
            connections: CONCURRENCY,
            durationMs,
            okStatus: 202,
            request: () => ({
              method: 'POST',
              path: '/kyc/start',
              headers: { authorization: `Bearer ${user().token}` },
              body: '{}',
            }),
          });
          const { rps, ...rest } = m;
          return { perSecond: rps!, ...rest, ...withCpu(cpu, Math.round((rps! * durationMs) / 1000)) };
        },
      });
      let lastRawRate = NaN;
      const raw = side('raw client.workflow.start, the API options', rawStart, (r) => (lastRawRate = r));
      const steps: { name: string; subject: Side }[] = [
        {
          name: 'raw start as first measured (short details, USE_EXISTING, no request id)',
          subject: side('raw, previous options', previousRawStart),
        },
        { name: 'raw start after the API reads through pg', subject: side('2 reads + raw start', readsThenRawStart) },
        { name: 'POST /kyc/start, standalone API', subject: apiSide('API', api.url) },
        { name: 'POST /kyc/start, all-in-one', subject: apiSide('npm start', all.url) },
      ];
      for (const url of [api.url, all.url]) await concurrently(4, 1000, () => apiStart(url));
      await concurrently(4, 1000, rawStart);
      await concurrently(4, 1000, previousRawStart);
      await concurrently(4, 1000, readsThenRawStart);
      const comparisons: Comparison[] = steps.map((s) => ({
        name: s.name,
        subject: s.subject,
        baseline: raw,
        ratioOf: 'perSecond',
        goal: 0.8,
      }));
      return {
        comparisons,
        absolutes: [
          {
            name: 'POST /kyc/start p99 at half the raw rate, all-in-one',
            measure: () => atRate(Math.max(1, lastRawRate / 2), durationMs, () => apiStart(all.url)),
            metric: 'p99Ms',
            goal: { below: 100 },
            unit: 'ms',
          },
          {
            // The floor under the line above: the same start without the API, at the same rate.
            name: 'raw client.workflow.start p99 at half the raw rate',
            measure: () => atRate(Math.max(1, lastRawRate / 2), durationMs, rawStart),
            metric: 'p99Ms',
            goal: { below: 100 },
            unit: 'ms',
          },
        ],
        tearDown: () => stopAll(started),
      };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};

/** BENCH_KYC_CPU_PROF=1: the API processes write V8 CPU profiles under .data/bench/ on exit. */
function profileArgs(role: string): string[] {
  return process.env.BENCH_KYC_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', `.data/bench/prof-${role}`] : [];
}
