/**
 * Shared by the fault suite (test/faults): the size (CI or full), the one-line figure each test
 * prints, percentiles, the ledger invariants, and a process environment with its own Redis
 * prefix and task queues so a file's child processes only see its own work.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { taskQueuesWithPrefix } from '../../src/kernel/temporal/task-queues';
import { testBundleWithoutKey } from '../helpers/context';

/** FAULTS_SIZE=full: the sizes; anything else: the CI size (whole suite ~6 min on 2 cores). */
export const FULL = process.env.FAULTS_SIZE === 'full';
export const size = (ci: number, full: number) => (FULL ? full : ci);

/** One clear line on stdout, outside jest's console decoration: `FAULT <name>: <figures>`. */
export function figure(name: string, text: string): void {
  process.stdout.write(`\nFAULT ${name} [${FULL ? 'full' : 'ci'}]: ${text}\n`);
}

/** The value at quantile q (0..1) of `values` (nearest rank). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** A deployment of its own: Redis prefix, task queues, JWT secret shared by the test and its children. */
export function isolatedDeployment(tag: string, extra: Record<string, string> = {}) {
  const REDIS_PREFIX = `fault-${tag}-${randomUUID().slice(0, 8)}`;
  const TASK_QUEUE_PREFIX = `${REDIS_PREFIX}-`;
  return {
    shared: {
      REDIS_PREFIX,
      TASK_QUEUE_PREFIX,
      JWT_SECRET: `fault-secret-${randomUUID()}`,
      QUEUE_METRICS_BROADCAST_MS: '0',
      ...extra,
    },
    taskQueues: taskQueuesWithPrefix(TASK_QUEUE_PREFIX),
  };
}

/**
 * The deployment's settings plus TEMPORAL_WORKFLOW_BUNDLE: the test bundle written once to a file
 * of this deployment, so each worker process the test starts (and restarts) loads it instead of
 * bundling again. Pass the result to `childEnv`.
 */
export async function withWorkflowBundle(shared: Record<string, string>): Promise<Record<string, string>> {
  const bundlePath = join(tmpdir(), `${shared.REDIS_PREFIX}-workflows.js`);
  writeFileSync(bundlePath, (await testBundleWithoutKey()).code);
  return { ...shared, TEMPORAL_WORKFLOW_BUNDLE: bundlePath };
}

/** Ledger transactions among `ids` whose lines do not sum to zero (should be none). */
export async function unbalancedTransactions(em: EntityManager, transactionIds: string[]): Promise<number> {
  if (transactionIds.length === 0) return 0;
  const rows = await em.execute<{ n: string }[]>(
    `select count(*) n from (select transaction_id from ledger_entries where transaction_id in (?)
       group by transaction_id having sum(amount) <> 0) x`,
    [transactionIds],
  );
  return Number(rows[0]!.n);
}

export const countBy = <T extends string | number>(values: T[]) =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v)]: (acc[String(v)] ?? 0) + 1 }), {});
