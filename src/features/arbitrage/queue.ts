import { Queue, Worker, type Job, type JobsOptions, type RateLimiterOptions } from 'bullmq';
import type { RedisClient } from '../../kernel/redis/client';
import type { Logger } from '../../kernel/logger';
import type { ArbitrageScanner } from './scanner';
import { QUEUE_NAMES } from '../../kernel/queue-names';
import { safeJobId } from '../notifications/email-queue';

export interface ScanJobData {
  /** Symbols to scan; the worker's configured list when absent. */
  symbols?: string[];
  reason?: 'scheduled' | 'manual';
}

export interface ScanJobResult {
  symbols: number;
  opportunities: number;
  skipped: string[];
  anomalies: Record<string, number>;
}

/** The one job scheduler of the recurring scan: upserting it again never adds a second. */
export const AI_SCAN_SCHEDULER_ID = 'ai-arbitrage-scan';

/** Seed settings: attempts 2 with a fixed 5 s backoff, keep completed 1 h and failed 24 h. */
export const AI_SCAN_JOB_OPTIONS: JobsOptions = {
  attempts: 2,
  backoff: { type: 'fixed', delay: 5000 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 24 * 3600 },
};

/** Producer side of `ai-arbitrage`. */
export class AiArbitrageQueue {
  readonly queue: Queue<ScanJobData, ScanJobResult>;

  constructor(connection: RedisClient, prefix: string) {
    this.queue = new Queue<ScanJobData, ScanJobResult>(QUEUE_NAMES.ai, {
      connection,
      prefix,
      defaultJobOptions: AI_SCAN_JOB_OPTIONS,
    });
  }

  /** A manual scan now; pass `jobId` to make a repeated request a no-op while the job is kept. */
  scheduleAIScan(options: { symbols?: string[]; jobId?: string } = {}): Promise<Job<ScanJobData, ScanJobResult>> {
    return this.queue.add(
      'scan',
      { symbols: options.symbols, reason: 'manual' },
      options.jobId ? { jobId: safeJobId(options.jobId) } : {},
    );
  }

  /**
   * A scan every `intervalMs` through BullMQ's job scheduler (BullMQ 6 has no `repeat` option).
   * Idempotent: every worker may call it at start-up and there is still one scheduler (and one
   * pending scan), with the latest interval.
   */
  async scheduleRecurringAIScans(intervalMs = 60_000): Promise<void> {
    await this.queue.upsertJobScheduler(
      AI_SCAN_SCHEDULER_ID,
      { every: intervalMs },
      { name: 'scan', data: { reason: 'scheduled' }, opts: AI_SCAN_JOB_OPTIONS },
    );
  }

  async stopRecurringAIScans(): Promise<void> {
    await this.queue.removeJobScheduler(AI_SCAN_SCHEDULER_ID);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface AiWorkerDeps {
  connection: RedisClient;
  prefix: string;
  scanner: ArbitrageScanner;
  symbols: string[];
  /** Seed: 10 scans per minute. */
  limiter: RateLimiterOptions;
  logger: Logger;
}

/** The scan worker: concurrency 1 (scans never overlap in one worker), rate limited globally. */
export function createAiWorker(deps: AiWorkerDeps): Worker<ScanJobData, ScanJobResult> {
  const log = deps.logger.child({ queue: QUEUE_NAMES.ai });
  const worker = new Worker<ScanJobData, ScanJobResult>(
    QUEUE_NAMES.ai,
    async (job) => {
      const symbols = job.data?.symbols?.length ? job.data.symbols : deps.symbols;
      const scans = await deps.scanner.scan(job.id!, symbols);
      const result: ScanJobResult = {
        symbols: scans.length,
        opportunities: scans.reduce((n, s) => n + s.opportunities.length, 0),
        skipped: scans.filter((s) => s.skipped).map((s) => s.symbol),
        anomalies: Object.fromEntries(scans.map((s) => [s.symbol, s.anomalyScore])),
      };
      if (result.opportunities) log.info({ jobId: job.id, ...result }, 'arbitrage opportunities found');
      return result;
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: 1,
      limiter: deps.limiter,
      metrics: { maxDataPoints: 60 * 24 * 7 },
    },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'scan failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'ai worker error'));
  return worker;
}
