import type { Client } from '@temporalio/client';
import type { Queue } from 'bullmq';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskQueues } from '../../kernel/temporal/worker';

export interface BullQueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface WorkflowCounts {
  running: number;
  completed: number;
  failed: number;
}

export interface AllQueueMetrics {
  email: BullQueueCounts;
  ai: BullQueueCounts;
  binary: WorkflowCounts;
  kyc: WorkflowCounts;
  aml: WorkflowCounts;
  /** Seconds since the oldest outbox row still waiting for the relay was written (0: none waiting). */
  outbox: { oldestPendingAgeSeconds: number };
  timestamp: string;
}

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

/**
 * Prometheus registry for one API process: queue depths per state, job outcomes since BullMQ
 * metrics began (workers record them with `metrics: { maxDataPoints }`), workflow counts, and the
 * process defaults. `refresh()` reads the queues fresh before each scrape; the Temporal counts (9
 * visibility queries) are reused for `temporalCacheMs`, the scrape interval, and concurrent
 * scrapes share one read.
 */
export function createPrometheusMetrics(deps: QueueMetricsDeps, temporalCacheMs = 0) {
  const tq = (kind: keyof typeof WORKFLOW_KINDS) => deps.taskQueues[WORKFLOW_KINDS[kind].taskQueue];
  const readCounts = () =>
    Promise.all(
      (['kyc', 'binary', 'aml'] as const).map(
        async (kind) => [kind, await workflowCounts(deps.temporal, WORKFLOW_KINDS[kind].type, tq(kind))] as const,
      ),
    );
  let counts: { at: number; value: ReturnType<typeof readCounts> } | undefined;
  const temporalCounts = () => {
    if (!counts || Date.now() - counts.at >= temporalCacheMs) {
      const entry = { at: Date.now(), value: readCounts() };
      // A failed read is not kept: the next scrape tries again.
      entry.value.catch(() => {
        if (counts === entry) counts = undefined;
      });
      counts = entry;
    }
    return counts.value;
  };

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const jobs = new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'Jobs in a BullMQ queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
  });
  const outcomes = new Gauge({
    name: 'bullmq_jobs_finished',
    help: 'Jobs finished since BullMQ metrics collection began, by outcome (completed or failed)',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  const workflows = new Gauge({
    name: 'temporal_workflow_executions',
    help: 'Workflow executions by type and status (Temporal visibility)',
    labelNames: ['workflow_type', 'status'],
    registers: [registry],
  });

  const outboxAge = new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row not yet delivered by the relay (0 when none waits)',
    registers: [registry],
  });

  async function refresh(): Promise<void> {
    const [email, ai, age, kinds] = await Promise.all([
      bullQueueCounts(deps.queues.email),
      bullQueueCounts(deps.queues.ai),
      deps.outboxAge(),
      temporalCounts(),
    ]);
    outboxAge.set(Math.round(age * 1000) / 1000);
    for (const [name, c] of [
      [deps.queues.email.name, email],
      [deps.queues.ai.name, ai],
    ] as const) {
      for (const [state, n] of Object.entries(c)) jobs.set({ queue: name, state }, n);
    }
    for (const queue of [deps.queues.email, deps.queues.ai]) {
      for (const outcome of ['completed', 'failed'] as const) {
        const metrics = await queue.getMetrics(outcome, 0, 0);
        outcomes.set({ queue: queue.name, outcome }, Number(metrics.meta.count) || 0);
      }
    }
    for (const [kind, c] of kinds) {
      for (const [status, n] of Object.entries(c)) {
        workflows.set({ workflow_type: WORKFLOW_KINDS[kind].type, status }, n);
      }
    }
  }

  return { registry, refresh };
}
