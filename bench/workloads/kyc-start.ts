/**
 * POST /kyc/start (JWT, the use case, one workflow start) against the raw
 * `client.workflow.start` of the same workflow with the same options and signed input, from this
 * process. Every start is a fresh user (one KYC workflow per user). Standalone API (no worker:
 * the workflows only queue) and all-in-one (its worker runs them, for both sides alike). The
 * absolute check: p99 of POST /kyc/start (all-in-one) at half the raw rate of the same round.
 */
import { Client, Connection } from '@temporalio/client';
import { KYC_WORKFLOW, kycWorkflowId } from '../../src/features/kyc/contract';
import { KycStatusSearchAttribute, UserIdSearchAttribute } from '../../src/kernel/temporal/search-attributes';
import { actors, WorkflowSigner } from '../../src/kernel/temporal/signing';
import { taskQueuesWithPrefix } from '../../src/kernel/temporal/task-queues';
import { TEST_WORKFLOW_SIGNING_KEY } from '../../test/helpers/signing';
import { startAppProcess, stopAll, measurementMs } from '../harness/app-process';
import { atRate, concurrently } from '../harness/async-load';
import type { BenchEnv, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';

const CONCURRENCY = 16;
// Task queues of their own: the thousands of KYC workflows this workload starts must not keep the
// all-in-one processes of the workloads after it busy (they poll the unprefixed queues).
const TASK_QUEUE_PREFIX = 'bench-kyc-';
const taskQueues = taskQueuesWithPrefix(TASK_QUEUE_PREFIX);
// The project's defaults (config.ts), so the signed input is the one the API would send.
const INPUT = {
  provider: 'LOCAL',
  providerDeadlineMs: 48 * 3600 * 1000,
  hardDeadlineMs: 30 * 24 * 3600 * 1000,
  maxAttempts: 3,
};

export const workload: Workload = {
  name: 'kyc-start',
  title: 'POST /kyc/start vs raw client.workflow.start',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    const connection = await Connection.connect({ address: env.temporalAddress });
    started.push({ stop: () => connection.close() });
    try {
      const client = new Client({ connection });
      const signer = new WorkflowSigner(TEST_WORKFLOW_SIGNING_KEY);
      const users = await createBenchUsers(env.databaseUrl, env.size === 'full' ? 30_000 : 8_000);
      let next = 0;
      const user = (): BenchUser => {
        if (next >= users.length) throw new Error('kyc-start ran out of fresh users');
        return users[next++]!;
      };
      const api = await startAppProcess('api', env, { TASK_QUEUE_PREFIX });
      started.push(api);
      const all = await startAppProcess('all', env, { TASK_QUEUE_PREFIX });
      started.push(all);

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
      const rawStart = async () => {
        const { id: userId } = user();
        const workflowId = kycWorkflowId(userId);
        await client.workflow.start(KYC_WORKFLOW, {
          workflowId,
          taskQueue: taskQueues.compliance,
          args: [signer.startInput(workflowId, KYC_WORKFLOW, actors.user(userId), { userId, ...INPUT })],
          staticSummary: `KYC of user ${userId} at LOCAL`,
          staticDetails: `**User:** ${userId}`,
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [
            { key: UserIdSearchAttribute, value: userId },
            { key: KycStatusSearchAttribute, value: 'PENDING' },
          ],
        });
      };
      let lastRawRate = NaN;
      const raw: Side = {
        label: 'raw client.workflow.start',
        measure: async () => {
          const m = await concurrently(CONCURRENCY, durationMs, rawStart);
          lastRawRate = m.perSecond!;
          return m;
        },
      };
      const viaApi = (label: string, url: string): Side => ({
        label,
        measure: () => concurrently(CONCURRENCY, durationMs, () => apiStart(url)),
      });
      for (const url of [api.url, all.url]) await concurrently(4, 1000, () => apiStart(url));
      await concurrently(4, 1000, rawStart);
      return {
        comparisons: [
          {
            name: 'POST /kyc/start, standalone API',
            subject: viaApi('API', api.url),
            baseline: raw,
            ratioOf: 'perSecond',
            goal: 0.8,
          },
          {
            name: 'POST /kyc/start, all-in-one',
            subject: viaApi('npm start', all.url),
            baseline: raw,
            ratioOf: 'perSecond',
            goal: 0.8,
          },
        ],
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
