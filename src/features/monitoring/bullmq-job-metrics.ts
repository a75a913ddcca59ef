import type { Job, Worker } from 'bullmq';
import type { AppMetrics } from '../../kernel/metrics/app-metrics';

/**
 * Per attempt of a job this worker ran: the outcome counter, how long the job waited (from the
 * moment it was ready: created plus its delay; a retry's backoff counts as waiting) and how long
 * the attempt took. Read from the job's own timestamps, which BullMQ sets in Redis.
 */
export function recordJobMetrics(worker: Worker, metrics: AppMetrics['jobs']): void {
  const queue = worker.name;
  const observe = (job: Job | undefined, outcome: 'completed' | 'failed') => {
    metrics.finished.inc({ queue, outcome });
    if (!job?.processedOn) return;
    const ready = job.timestamp + (job.opts.delay ?? 0);
    metrics.wait.observe({ queue }, Math.max(0, (job.processedOn - ready) / 1000));
    const finished = job.finishedOn ?? Date.now();
    metrics.processing.observe({ queue, outcome }, Math.max(0, (finished - job.processedOn) / 1000));
  };
  worker.on('completed', (job) => observe(job, 'completed'));
  worker.on('failed', (job) => observe(job, 'failed'));
}
