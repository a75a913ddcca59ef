/**
 * Email enqueue + deliver with the console transport (outbox file on, one log line per job, as
 * `npm start` runs it) and the limiter raised out of the way, against raw BullMQ: a Queue and a
 * Worker with an empty processor at the same concurrency. Two rates: enqueueing N jobs (50 adds
 * in flight, no worker running) and processing them (worker started on a full queue).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import pino from 'pino';
import { BullEmailQueue, type EmailJob } from '../../src/features/notifications/email-queue';
import { createEmailWorker } from '../../src/features/notifications/email-worker';
import { ConsoleTransport } from '../../src/features/notifications/transports/console';
import { renderEmail } from '../../src/features/notifications/templates';
import { QUEUE_NAMES } from '../../src/kernel/queue-names';
import type { BenchEnv, Metrics, Prepared, Workload } from '../harness/types';

const CONCURRENCY = 10; // EMAIL_CONCURRENCY's default
const IN_FLIGHT_ADDS = 50;

const job = (i: number): EmailJob => ({
  template: 'withdrawal-approved',
  to: `user${i}@example.test`,
  data: { amount: '125.00 USD', name: `User ${i}` },
});

async function enqueueAll(n: number, add: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT_ADDS }, async () => {
      while (next < n) await add(next++);
    }),
  );
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Starts a worker on a full queue and waits for `n` completions: jobs per second, and this
 * process's CPU time per job (steadier than the rate on a busy machine).
 */
async function drain(n: number, start: () => Worker): Promise<{ rate: number; cpuUsPerJob: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const worker = start();
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    worker.on('completed', () => {
      if (++done === n) resolve();
    });
    worker.on('failed', (_j, err) => reject(err));
  });
  const rate = n / (Number(process.hrtime.bigint() - started) / 1e9);
  const used = process.cpuUsage(cpu);
  await worker.close();
  return { rate, cpuUsPerJob: (used.user + used.system) / n };
}

export const workload: Workload = {
  name: 'email',
  title: 'email enqueue + deliver (console transport, limiter raised) vs raw BullMQ Queue + Worker',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const n = env.size === 'full' ? 20_000 : 5_000;
    const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    const dir = mkdtempSync(join(tmpdir(), 'bench-email-'));
    // The project's logger is pino writing synchronously to stdout; here to /dev/null the same way.
    const logger = pino({ level: 'info', name: 'bench-email' }, pino.destination({ dest: '/dev/null', sync: true }));
    let round = 0;
    const transports: ConsoleTransport[] = [];
    const transport = (prefix: string) => {
      const t = new ConsoleTransport({ logger, file: join(dir, `${prefix}.jsonl`) });
      transports.push(t);
      return t;
    };
    const fresh = (kind: string) => `bench-${kind}-${++round}-${randomUUID().slice(0, 6)}`;

    const project = {
      /** Enqueues n emails into a fresh queue, timed. */
      async fill(prefix: string) {
        const queue = new BullEmailQueue(redis, prefix);
        const rate = await enqueueAll(n, (i) => queue.enqueue(job(i), `bench-${i}`));
        return { queue: queue.queue, rate, close: () => queue.close() };
      },
      worker: (prefix: string) =>
        createEmailWorker({
          connection: redis,
          prefix,
          transport: transport(prefix),
          from: 'no-reply@example.test',
          concurrency: CONCURRENCY,
          limiter: { max: 1_000_000, duration: 1_000 },
          logger,
        }),
    };
    const raw = {
      async fill(prefix: string) {
        const queue = new Queue(QUEUE_NAMES.email, { connection: redis, prefix });
        const rate = await enqueueAll(n, (i) => queue.add('raw', job(i), { jobId: `bench-${i}` }));
        return { queue, rate, close: () => queue.close() };
      },
      worker: (prefix: string) =>
        new Worker(QUEUE_NAMES.email, async () => undefined, { connection: redis, prefix, concurrency: CONCURRENCY }),
    };
    /**
     * The steps between raw and the project, for attributing the processing gap: the raw empty
     * processor with the project worker's options added one at a time (the limiter, then the
     * per-minute metrics), then fed jobs enqueued with the project's job options (attempts,
     * backoff, removal by age); then its processor's work one part at a time: rendering the
     * message, then also writing it through the console transport (what the project's processor
     * does, but for the result it returns for BullMQ to store).
     */
    const render = async (job: Job<EmailJob>) => {
      renderEmail(job.data);
    };
    const renderAndSend = (prefix: string) => {
      const t = transport(`${prefix}-step`);
      return async (job: Job<EmailJob>) => {
        await t.send({
          ...renderEmail(job.data),
          to: job.data.to,
          from: 'no-reply@example.test',
          idempotencyKey: job.id,
        });
      };
    };
    type StepOptions = {
      limiter?: boolean;
      metrics?: boolean;
      projectJobs?: boolean;
      processor?: 'render' | 'render+send';
    };
    const rawWith = (options: StepOptions) => ({
      fill: options.projectJobs ? project.fill : raw.fill,
      worker: (prefix: string) =>
        new Worker(
          QUEUE_NAMES.email,
          options.processor === 'render' ? render : options.processor ? renderAndSend(prefix) : async () => undefined,
          {
            connection: redis,
            prefix,
            concurrency: CONCURRENCY,
            ...(options.limiter ? { limiter: { max: 1_000_000, duration: 1_000 } } : {}),
            ...(options.metrics ? { metrics: { maxDataPoints: 60 * 24 * 7 } } : {}),
          },
        ),
    });

    type SideImpl = { fill: typeof raw.fill; worker: (prefix: string) => Worker };
    const enqueue = (side: SideImpl) => async (): Promise<Metrics> => {
      const filled = await side.fill(fresh('enqueue'));
      await filled.queue.obliterate({ force: true });
      await filled.close();
      return { enqueuePerSec: Math.round(filled.rate) };
    };
    const processing = (side: SideImpl) => async (): Promise<Metrics> => {
      const prefix = fresh('process');
      const filled = await side.fill(prefix);
      const { rate, cpuUsPerJob } = await drain(n, () => side.worker(prefix));
      await filled.queue.obliterate({ force: true });
      await filled.close();
      return { processPerSec: Math.round(rate), cpuUsPerJob: Math.round(cpuUsPerJob) };
    };

    return {
      comparisons: [
        {
          name: 'email processing',
          subject: { label: 'email worker, console transport', measure: processing(project) },
          baseline: { label: 'BullMQ Worker, empty processor', measure: processing(raw) },
          ratioOf: 'processPerSec',
          goal: 0.8,
        },
        ...(
          [
            ['raw Worker + the limiter', { limiter: true }],
            ['raw Worker + the limiter + per-minute metrics', { limiter: true, metrics: true }],
            [
              "raw Worker + the limiter + metrics, jobs with the project's options",
              { limiter: true, metrics: true, projectJobs: true },
            ],
            [
              'the same + rendering each email (renderEmail)',
              { limiter: true, metrics: true, projectJobs: true, processor: 'render' },
            ],
            [
              'the same + rendering and writing it through the console transport',
              { limiter: true, metrics: true, projectJobs: true, processor: 'render+send' },
            ],
          ] as const
        ).map(([label, options]) => ({
          name: `email processing, step: ${label}`,
          subject: { label, measure: processing(rawWith(options)) },
          baseline: { label: 'BullMQ Worker, empty processor', measure: processing(raw) },
          ratioOf: 'processPerSec',
          goal: 0.8,
        })),
        {
          name: 'email enqueue',
          subject: { label: 'BullEmailQueue.enqueue', measure: enqueue(project) },
          baseline: { label: 'Queue.add', measure: enqueue(raw) },
          ratioOf: 'enqueuePerSec',
          goal: 0.8,
        },
      ],
      async tearDown() {
        await Promise.all(transports.map((t) => t.close()));
        await redis.quit();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
