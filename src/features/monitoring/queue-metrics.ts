import type { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Queue } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import type { TaskQueues } from '../../kernel/temporal/worker';
import type { queueMetrics } from './responses';

export type BullQueueCounts = AllQueueMetrics['email'];

export type WorkflowCounts = AllQueueMetrics['binary'];

export type AllQueueMetrics = z.output<typeof queueMetrics>;

export interface QueueMetricsDeps {
  queues: { email: Queue; ai: Queue };
  temporal: Client;
  taskQueues: TaskQueues;
  outboxAge: () => Promise<number>;
}

/** The seed's KYC/binary/AML queues became Temporal workflows: type names and task queues. */
export const WORKFLOW_KINDS = {
  kyc: { type: 'kycVerification', taskQueue: 'compliance' },
  binary: { type: 'binaryTrade', taskQueue: 'trading' },
  aml: { type: 'amlFreeze', taskQueue: 'compliance' },
} as const;

export async function bullQueueCounts(queue: Queue): Promise<BullQueueCounts> {
  // Prioritized jobs wait in their own set; report them as waiting.
  const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed');
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
    active: c.active ?? 0,
    completed: c.completed ?? 0,
    failed: c.failed ?? 0,
    delayed: c.delayed ?? 0,
  };
}

/**
 * Running/completed/failed executions of one workflow type on its task queue, from Temporal's
 * visibility store (CountWorkflowExecutions). Visibility is eventually consistent: a count may
 * lag a state change by a moment.
 */
export async function workflowCounts(temporal: Client, type: string, taskQueue: string): Promise<WorkflowCounts> {
  const count = async (status: string) =>
    (
      await temporal.workflow.count(
        `WorkflowType="${type}" AND TaskQueue="${taskQueue}" AND ExecutionStatus="${status}"`,
      )
    ).count;
  const [running, completed, failed] = await Promise.all([count('Running'), count('Completed'), count('Failed')]);
  return { running, completed, failed };
}

/** The seed's getAllQueueMetrics(): BullMQ job counts plus the workflow kinds. */
export async function getAllQueueMetrics(deps: QueueMetricsDeps): Promise<AllQueueMetrics> {
  const tq = (kind: keyof typeof WORKFLOW_KINDS) => deps.taskQueues[WORKFLOW_KINDS[kind].taskQueue];
  const [email, ai, binary, kyc, aml, outboxAge] = await Promise.all([
    bullQueueCounts(deps.queues.email),
    bullQueueCounts(deps.queues.ai),
    workflowCounts(deps.temporal, WORKFLOW_KINDS.binary.type, tq('binary')),
    workflowCounts(deps.temporal, WORKFLOW_KINDS.kyc.type, tq('kyc')),
    workflowCounts(deps.temporal, WORKFLOW_KINDS.aml.type, tq('aml')),
    deps.outboxAge(),
  ]);
  return {
    email,
    ai,
    binary,
    kyc,
    aml,
    outbox: { oldestPendingAgeSeconds: Math.round(outboxAge * 1000) / 1000 },
    timestamp: new Date().toISOString(),
  };
}

/** The cluster-wide numbers behind the Prometheus gauges: one JSON-able reading. */
export interface ClusterSnapshot {
  /** Per queue name: job counts by state, and jobs finished by outcome (BullMQ's own metrics). */
  queues: Record<string, { counts: BullQueueCounts; finished: { completed: number; failed: number } }>;
  /** Per workflow type: executions by status. */
  workflows: Record<string, WorkflowCounts>;
  outboxOldestPendingAgeSeconds: number;
  /** When it was read (ms since the epoch). */
  at: number;
}

/** Reads every cluster-wide number once: 2 queues x 2 BullMQ reads, 9 visibility counts, the outbox. */
export async function readClusterSnapshot(deps: QueueMetricsDeps): Promise<ClusterSnapshot> {
  const tq = (kind: keyof typeof WORKFLOW_KINDS) => deps.taskQueues[WORKFLOW_KINDS[kind].taskQueue];
  const queue = async (q: Queue) => {
    const [counts, completed, failed] = await Promise.all([
      bullQueueCounts(q),
      q.getMetrics('completed', 0, 0),
      q.getMetrics('failed', 0, 0),
    ]);
    return {
      counts,
      finished: { completed: Number(completed.meta.count) || 0, failed: Number(failed.meta.count) || 0 },
    };
  };
  const kinds = ['kyc', 'binary', 'aml'] as const;
  const [email, ai, age, ...wf] = await Promise.all([
    queue(deps.queues.email),
    queue(deps.queues.ai),
    deps.outboxAge(),
    ...kinds.map((k) => workflowCounts(deps.temporal, WORKFLOW_KINDS[k].type, tq(k))),
  ]);
  return {
    queues: { [deps.queues.email.name]: email, [deps.queues.ai.name]: ai },
    workflows: Object.fromEntries(kinds.map((k, i) => [WORKFLOW_KINDS[k].type, wf[i]!])),
    outboxOldestPendingAgeSeconds: Math.round(age * 1000) / 1000,
    at: Date.now(),
  };
}

/** The cluster gauges of one snapshot, in a registry of their own (rendered by one replica only). */
export function clusterGauges(snapshot: ClusterSnapshot): Registry {
  const registry = new Registry();
  const registers = [registry];
  const jobs = new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'Jobs in a BullMQ queue by state (cluster-wide, emitted by the metrics lease holder only)',
    labelNames: ['queue', 'state'],
    registers,
  });
  const outcomes = new Gauge({
    name: 'bullmq_jobs_finished',
    help: 'Jobs finished since BullMQ metrics collection began, by outcome (cluster-wide, lease holder only)',
    labelNames: ['queue', 'outcome'],
    registers,
  });
  const workflows = new Gauge({
    name: 'temporal_workflow_executions',
    help: 'Workflow executions by type and status (Temporal visibility; cluster-wide, lease holder only)',
    labelNames: ['workflow_type', 'status'],
    registers,
  });
  const outboxAge = new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row not yet delivered by the relay (0 when none waits; lease holder only)',
    registers,
  });
  const age = new Gauge({
    name: 'cluster_metrics_snapshot_age_seconds',
    help: 'How old the cluster-wide snapshot behind these gauges is',
    registers,
  });
  for (const [name, q] of Object.entries(snapshot.queues)) {
    for (const [state, n] of Object.entries(q.counts)) jobs.set({ queue: name, state }, n);
    for (const [outcome, n] of Object.entries(q.finished)) outcomes.set({ queue: name, outcome }, n);
  }
  for (const [type, c] of Object.entries(snapshot.workflows)) {
    for (const [status, n] of Object.entries(c)) workflows.set({ workflow_type: type, status }, n);
  }
  outboxAge.set(snapshot.outboxOldestPendingAgeSeconds);
  age.set(Math.max(0, (Date.now() - snapshot.at) / 1000));
  return registry;
}

/** A fresh reading rendered as gauges (tools and tests; the API serves the lease holder's snapshot). */
export function createPrometheusMetrics(deps: QueueMetricsDeps) {
  let registry = new Registry();
  return {
    get registry() {
      return registry;
    },
    async refresh() {
      registry = clusterGauges(await readClusterSnapshot(deps));
    },
  };
}
