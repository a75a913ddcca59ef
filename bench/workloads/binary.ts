/**
 * Binary options, open -> settled (1 s expiry), against a one-activity workflow started and
 * completed on the same Temporal dev server: the server's own ceiling for "start a workflow, run
 * one activity, finish" is what every Temporal path here is taken against. Subject: 10 users
 * opening as fast as answers come for the measuring window, then until every option settled;
 * rate = options / (last settlement - first open). Standalone (API process + worker process) and
 * all-in-one. Absolute checks (all-in-one): open p99 at 20 opens/s, and those options'
 * settlement lag p99 (settled_at - expires_at).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { bundleWorkflows } from '../../src/kernel/temporal/worker';
import { startAppProcess, stopAll, type AppProcess, measurementMs } from '../harness/app-process';
import { atRate, concurrently } from '../harness/async-load';
import { percentile } from '../harness/stats';
import { cpuMeter, pidsNamed } from '../harness/cpu';
import type { BenchEnv, Metrics, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';

const CLIENTS = 10;
const TASK_QUEUE = 'bench-one-activity';

async function post(url: string, path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function open(url: string, user: BenchUser): Promise<string> {
  const res = await post(url, '/binary/open', user.token, {
    symbol: 'BTCUSD',
    direction: 'UP',
    stake: '1.00',
    expiry: 1,
  });
  if (res.status !== 201) throw new Error(`POST /binary/open: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Waits (at most 2 min) until none of `ids` is OPEN; lags in ms and the last settlement instant. */
async function settled(db: PgClient, ids: string[]): Promise<{ lags: number[]; lastSettledMs: number }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int n from binary_trades where id = any($1::uuid[]) and status = 'OPEN'`,
      [ids],
    );
    if (rows[0]!.n === 0) break;
    if (Date.now() > deadline) throw new Error(`${rows[0]!.n} of ${ids.length} options still open after 2 min`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rows } = await db.query<{ lag: string; settled: string }>(
    `select extract(epoch from settled_at - expires_at) * 1000 lag, extract(epoch from settled_at) * 1000 settled
     from binary_trades where id = any($1::uuid[])`,
    [ids],
  );
  return { lags: rows.map((r) => Number(r.lag)), lastSettledMs: Math.max(...rows.map((r) => Number(r.settled))) };
}

export const workload: Workload = {
  name: 'binary',
  title: 'binary open -> settled vs a one-activity workflow started and completed',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const db = new PgClient({ connectionString: env.databaseUrl });
      await db.connect();
      started.push({ stop: () => db.end() });
      const bundlePath = join(env.projectDir, '.data', 'bench', 'workflow-bundle.js');
      mkdirSync(join(env.projectDir, '.data', 'bench'), { recursive: true });
      writeFileSync(bundlePath, (await bundleWorkflows({ logger: quietLogger })).code);
      const extra = { TEMPORAL_WORKFLOW_BUNDLE: bundlePath };
      const users = await createBenchUsers(env.databaseUrl, CLIENTS);
      const worker: AppProcess = await startAppProcess('worker', env, extra);
      started.push(worker);
      const api = await startAppProcess('api', env, extra);
      started.push(api);
      for (const u of users) {
        const dep = await post(api.url, '/wallet/deposit', u.token, { amount: '100000.00' });
        if (dep.status !== 201) throw new Error(`deposit: ${dep.status} ${JSON.stringify(dep.body)}`);
      }
      const all = await startAppProcess('all', env, extra);
      started.push(all);

      // The baseline's worker, in this process, on a task queue of its own.
      const nativeConnection = await NativeConnection.connect({ address: env.temporalAddress });
      started.push({ stop: () => nativeConnection.close() });
      const baselineWorker = await Worker.create({
        connection: nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: await bundleWorkflowCode({
          workflowsPath: require.resolve('../baselines/one-activity-workflow'),
          logger: quietLogger,
        }),
        activities: { settleNothing: async (id: string) => id },
      });
      const running = baselineWorker.run();
      started.push({
        stop: async () => {
          baselineWorker.shutdown();
          await running;
        },
      });
      const connection = await Connection.connect({ address: env.temporalAddress });
      started.push({ stop: () => connection.close() });
      const client = new Client({ connection });

      // Where each side's CPU goes, per workflow: the Temporal server, the app's processes,
      // PostgreSQL, and this process (load generator; the baseline's worker runs here too).
      const postgres = () => pidsNamed('postgres');
      const temporal = () => [env.temporalPid];
      const baseline: Side = {
        label: 'one-activity workflow',
        measure: async () => {
          const cpu = cpuMeter({ temporal, postgres });
          let done = 0;
          const m = await concurrently(CLIENTS, durationMs, async (i) => {
            await client.workflow.execute('benchOneActivity', {
              taskQueue: TASK_QUEUE,
              workflowId: `bench-one-${randomUUID()}`,
              args: [String(i)],
            });
            done += 1;
          });
          return { ...m, ...cpu.perItem(done) };
        },
      };
      const subject = (label: string, url: string, app: AppProcess[]): Side => ({
        label,
        measure: async (): Promise<Metrics> => {
          const cpu = cpuMeter({ temporal, app: () => app.map((p) => p.pid), postgres });
          const ids: string[] = [];
          const opens: number[] = [];
          const t0 = Date.now();
          const end = performance.now() + durationMs;
          await Promise.all(
            users.map(async (u) => {
              while (performance.now() < end) {
                const t = performance.now();
                ids.push(await open(url, u));
                opens.push(performance.now() - t);
              }
            }),
          );
          const { lags, lastSettledMs } = await settled(db, ids);
          return {
            perSecond: ids.length / ((lastSettledMs - t0) / 1000),
            openP50Ms: percentile(opens, 50),
            openP99Ms: percentile(opens, 99),
            lagP50Ms: percentile(lags, 50),
            lagP99Ms: percentile(lags, 99),
            ...cpu.perItem(ids.length),
          };
        },
      });
      let paced: Metrics | undefined;
      const pacedRun = async (): Promise<Metrics> => {
        const ids: string[] = [];
        const m = await atRate(20, durationMs, async (i) => void ids.push(await open(all.url, users[i % CLIENTS]!)));
        const { lags } = await settled(db, ids);
        paced = { ...m, lagP99Ms: percentile(lags, 99) };
        return paced;
      };
      await open(api.url, users[0]!);
      await open(all.url, users[0]!);
      return {
        comparisons: [
          {
            name: 'binary open -> settled, API + worker processes',
            subject: subject('API + worker', api.url, [api, worker]),
            baseline,
            ratioOf: 'perSecond',
            goal: 0.8,
          },
          {
            name: 'binary open -> settled, all-in-one',
            subject: subject('npm start', all.url, [all]),
            baseline,
            ratioOf: 'perSecond',
            goal: 0.8,
          },
        ],
        absolutes: [
          {
            name: 'binary open p99 at 20 opens/s, all-in-one',
            measure: pacedRun,
            metric: 'p99Ms',
            goal: { below: 150 },
            unit: 'ms',
          },
          {
            name: 'binary settlement lag p99 at 20 opens/s, all-in-one',
            // The same paced run as the check above (absolutes run in order within a round).
            measure: async () => paced ?? (await pacedRun()),
            metric: 'lagP99Ms',
            goal: { below: 500 },
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

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
