import { randomUUID } from 'node:crypto';
import { freePorts } from '../../scripts/stack/net';
import type { AppContext } from '../../src/main/context';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { childEnv, startWorkerProcess, stopAllProcesses } from '../helpers/processes';
import { promtoolCheckMetrics } from '../helpers/promtool';

const TOKEN = 'worker-metrics-token-0123456789';
const REDIS_PREFIX = `test-wmetrics-${randomUUID().slice(0, 8)}`;
let ctx: AppContext;
let workerMetrics: string;
let sdkMetrics: string;

beforeAll(async () => {
  const [own, sdk] = (await freePorts(2)) as [number, number];
  workerMetrics = `http://127.0.0.1:${own}/metrics`;
  sdkMetrics = `http://127.0.0.1:${sdk}/metrics`;
  const env = childEnv({
    REDIS_PREFIX,
    TASK_QUEUE_PREFIX: `${REDIS_PREFIX}-`,
    AI_SCAN_SCHEDULE: 'false',
    METRICS_TOKEN: TOKEN,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${own}`,
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${sdk}`,
  });
  await startWorkerProcess('worker', env);
  // Only to enqueue a job the worker process takes (same Redis prefix).
  ctx = await createTestContext({ REDIS_PREFIX });
}, 240_000);

afterAll(async () => {
  await ctx?.shutdown.run('test done');
  await stopAllProcesses();
});

const get = async (url: string, token?: string) => {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
};
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('a worker process exposes two Prometheus endpoints', () => {
  it('its own metrics at WORKER_METRICS_ADDRESS (token required): BullMQ jobs it ran, promtool-clean', async () => {
    expect((await get(workerMetrics)).status).toBe(401);
    await ctx.email.enqueue(
      { template: 'welcome', to: 'metrics@example.test', data: { name: 'M' } },
      `wm-${randomUUID()}`,
    );
    const text = await eventually(
      async () => {
        const r = await get(workerMetrics, TOKEN);
        return r.status === 200 &&
          (sample(r.text, 'bullmq_jobs_processed_total{queue="email-notifications",outcome="completed"}') ?? 0) === 1
          ? r.text
          : undefined;
      },
      30_000,
      'the worker to count the email job',
    );
    expect(sample(text, 'bullmq_job_wait_seconds_count{queue="email-notifications"}')).toBe(1);
    expect(sample(text, 'bullmq_job_processing_seconds_count{queue="email-notifications",outcome="completed"}')).toBe(
      1,
    );
    // The worker serves no cluster gauges (the API's lease holder does).
    expect(text).not.toContain('bullmq_queue_jobs');
    expect(promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  });

  it("the Temporal SDK's own metrics at TEMPORAL_METRICS_ADDRESS, promtool-clean", async () => {
    const r = await eventually(
      async () => {
        const res = await get(sdkMetrics).catch(() => undefined);
        return res?.status === 200 && /^temporal_\w+_total\{/m.test(res.text) && res;
      },
      30_000,
      'SDK metrics',
    );
    // Polls of the worker's task queues are counted by the SDK itself, labelled with the task queue.
    expect(r.text).toMatch(new RegExp(`^temporal_\\w+\\{[^}]*task_queue="${REDIS_PREFIX}-trading"`, 'm'));
    const check = promtoolCheckMetrics(r.text);
    expect(check).toEqual({ code: 0, output: '' });
  });
});
