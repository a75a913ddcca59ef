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
import { deposit, openOption as open, waitSettled as settled } from '../harness/binary-options';
import { percentile } from '../harness/stats';
import { cpuMeter, pidsNamed } from '../harness/cpu';
import type { BenchEnv, Metrics, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers } from '../harness/users';

const CLIENTS = 10;
const TASK_QUEUE = 'bench-one-activity';

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
      for (const u of users) await deposit(api.url, u, '100000.00');
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
