/**
 * Worker memory with waiting KYC workflows: the real worker process (`src/main/worker.ts`, its
 * sticky cache bounded by TEMPORAL_MAX_CACHED_WORKFLOWS) with N KYC cases started through
 * KycCases.start and each waiting for its provider (ci: 1,000; full: 10,000). Absolute checks:
 * the worker's RSS (goal < 1 GiB) and the p99 time to answer a query to a workflow evicted from
 * the cache, which like a signal or an update needs its history fetched and replayed first
 * (goal < 200 ms).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createOrm } from '../../src/kernel/db/orm';
import { createReadPool } from '../../src/kernel/db/read-pool';
import { createLogger } from '../../src/kernel/logger';
import { KycCases, kycWorkflowId } from '../../src/features/kyc/cases';
import { kycDeadlinesQuery } from '../../src/features/kyc/contract';
import { WorkflowSigner } from '../../src/kernel/temporal/signing';
import { TASK_QUEUES } from '../../src/kernel/temporal/task-queues';
import type { BenchEnv, Metrics, Prepared, Workload } from '../harness/types';

const DAY_MS = 24 * 3600 * 1000;
const STARTS_IN_FLIGHT = 20;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export const workload: Workload = {
  name: 'kyc-memory',
  title: 'worker memory with waiting KYC workflows, and a query to an evicted one',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const waiting = env.size === 'full' ? 10_000 : 1_000;
    // full: the default cache (1,000) under 10,000 waiting; ci: a quarter of the 1,000 cached, so some are evicted.
    const cache = env.size === 'full' ? 1_000 : 250;
    const signingKey = randomBytes(32).toString('hex');
    const prefix = `bench-kyc-${randomBytes(3).toString('hex')}`;
    const worker = spawn(process.execPath, ['--import', 'tsx', join(env.projectDir, 'src/main/worker.ts')], {
      cwd: env.projectDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        DATABASE_URL: env.databaseUrl,
        REDIS_URL: env.redisUrl,
        REDIS_PREFIX: prefix,
        TEMPORAL_ADDRESS: env.temporalAddress,
        RUN_MIGRATIONS: 'false',
        QUEUE_WORKERS: 'false',
        JWT_SECRET: randomBytes(24).toString('hex'),
        WORKFLOW_SIGNING_KEY: signingKey,
        KYC_LOCAL_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
        TEMPORAL_MAX_CACHED_WORKFLOWS: String(cache),
      },
    });
    const orm = await createOrm(env.databaseUrl);
    const reads = createReadPool(env.databaseUrl, 4, createLogger('warn', 'bench-kyc-memory'));
    const connection = await Connection.connect({ address: env.temporalAddress });
    const client = new Client({ connection });
    const cases = new KycCases(
      client,
      {
        taskQueue: TASK_QUEUES.compliance,
        providerDeadlineMs: 2 * DAY_MS,
        hardDeadlineMs: 30 * DAY_MS,
        maxAttempts: 3,
      },
      new WorkflowSigner(signingKey),
      reads,
    );

    const users = await orm.em.fork().execute<{ id: string }[]>(
      `insert into users (email, password_hash, full_name, country)
       select '${prefix}-' || g || '@example.test', 'x', 'Waiting User ' || g, 'DE' from generate_series(1, ${waiting}) g
       returning id`,
    );
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: STARTS_IN_FLIGHT }, async () => {
        while (next < users.length) await cases.start(users[next++]!.id, 'LOCAL');
      }),
    );
    const ids = users.map((u) => u.id);
    // Waiting: the case is open at the provider (its verification id stored).
    for (;;) {
      const [{ n }] = await orm.em.fork().execute<{ n: string }[]>(
        `select count(*) n from kyc k join users u on u.id = k.user_id
         where k.provider_id is not null and u.email like '${prefix}-%'`,
      );
      if (Number(n) === waiting) break;
      if (Date.now() - started > 20 * 60_000) throw new Error(`only ${n} of ${waiting} KYC cases reached the provider`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    env.log(`${waiting} KYC workflows waiting for their provider after ${Date.now() - started} ms (cache ${cache})`);

    // The earliest started are the least recently used: evicted once more than `cache` wait.
    let evictedNext = 0;
    return {
      comparisons: [],
      absolutes: [
        {
          name: `worker RSS with ${waiting.toLocaleString('en')} waiting KYC workflows (cache ${cache})`,
          metric: 'rssMb',
          unit: 'MB',
          goal: { below: 1024 },
          measure: async (): Promise<Metrics> => ({ rssMb: Math.round(rssMb(worker.pid!)) }),
        },
        {
          name: 'query to an evicted KYC workflow (history fetched and replayed)',
          metric: 'p99Ms',
          unit: 'ms',
          goal: { below: 200 },
          async measure(): Promise<Metrics> {
            if (waiting <= cache) throw new Error('no workflow is evicted: raise the waiting count or lower the cache');
            const times: number[] = [];
            for (let i = 0; i < 50; i++) {
              const userId = ids[evictedNext++ % (waiting - cache)]!;
              const t0 = process.hrtime.bigint();
              await client.workflow.getHandle(kycWorkflowId(userId)).query(kycDeadlinesQuery);
              times.push(Number(process.hrtime.bigint() - t0) / 1e6);
            }
            times.sort((a, b) => a - b);
            return { p50Ms: +percentile(times, 0.5).toFixed(1), p99Ms: +percentile(times, 0.99).toFixed(1) };
          },
        },
      ],
      notes: async () => ({ waiting, maxCachedWorkflows: cache, workerRssMb: Math.round(rssMb(worker.pid!)) }),
      async tearDown() {
        await Promise.all(
          ids.map((id) =>
            client.workflow
              .getHandle(kycWorkflowId(id))
              .terminate('bench over')
              .catch(() => undefined),
          ),
        );
        worker.kill('SIGTERM');
        await new Promise((r) => worker.once('exit', r));
        await connection.close();
        await reads.close();
        await orm.close();
      },
    };
  },
};
