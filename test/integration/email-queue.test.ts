import type { AppContext } from '../../src/main/context';
import { initQueues, allQueueMetrics, queueMetricsDeps, queueSet, type RunningQueues } from '../../src/main/queues';
import { createPrometheusMetrics } from '../../src/features/monitoring/queue-metrics';
import { BullEmailQueue, emailHelpers } from '../../src/features/notifications/email-queue';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { decodeQuotedPrintable, startSendGridServer, startSmtpServer } from '../helpers/mail-servers';
import { bullPrefix } from '../../src/kernel/redis/keys';

const started: { ctx: AppContext; queues?: RunningQueues }[] = [];
const closers: (() => Promise<void>)[] = [];

async function queueProcess(env: Record<string, string>) {
  const ctx = await createTestContext({ AI_SCAN_SCHEDULE: 'false', ...env });
  const queues = await initQueues(ctx, { workers: ['email'] });
  started.push({ ctx, queues });
  return { ctx, queues };
}

afterAll(async () => {
  for (const { ctx } of started) await ctx.shutdown.run('test done');
  for (const close of closers) await close();
});

describe('email-notifications over a real SMTP server', () => {
  it('delivers 500 emails exactly once, even when every helper call is repeated with the same job id', async () => {
    const smtp = await startSmtpServer();
    closers.push(smtp.close);
    const { ctx } = await queueProcess({
      EMAIL_PROVIDER: 'SMTP',
      SMTP_URL: smtp.url,
      EMAIL_CONCURRENCY: '20',
      EMAIL_RATE_MAX: '100000',
      EMAIL_RATE_DURATION_MS: '1000',
    });
    const h = emailHelpers(ctx.email);
    const to = (i: number) => `user-${i}@example.test`;
    const sendAll = () =>
      Promise.all(
        Array.from({ length: 500 }, (_, i) => {
          const id = `bulk-${i}`;
          switch (i % 5) {
            case 0:
              return h.sendWelcomeEmail(to(i), `User ${i}`, id);
            case 1:
              return h.sendKYCApprovalEmail(to(i), `User ${i}`, id);
            case 2:
              return h.sendKYCRejectionEmail(to(i), `User ${i}`, `reason ${i}`, id);
            case 3:
              return h.sendWithdrawalApprovalEmail(to(i), `${i}.00 USD`, id);
            default:
              return h.sendAccountFrozenEmail(to(i), `case ${i}`, id);
          }
        }),
      );
    await sendAll();
    await sendAll(); // the same job ids again: no new jobs

    const email = (ctx.email as BullEmailQueue).queue;
    // 500 completed and nothing left in any other state: the repeated ids made no second job.
    const counts = await eventually(
      async () => {
        const c = await email.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed', 'prioritized');
        return c.completed === 500 && c;
      },
      90_000,
      '500 completed',
    );
    expect(counts).toEqual({ completed: 500, waiting: 0, active: 0, delayed: 0, failed: 0, prioritized: 0 });
    expect(smtp.deliveries).toHaveLength(500);
    const recipients = smtp.deliveries.map((d) => d.to.join(','));
    expect(new Set(recipients).size).toBe(500);
    for (let i = 0; i < 500; i++) expect(recipients).toContain(to(i));

    // What arrived: sender, subject and body of a rejection.
    const rejection = smtp.deliveries.find((d) => d.to[0] === to(7))!;
    expect(rejection.from).toBe(ctx.config.EMAIL_FROM);
    expect(rejection.raw).toMatch(/^Subject: Your identity verification was not approved\r?$/m);
    expect(rejection.raw).toMatch(/^Message-ID: <bulk-7@/m);
    const body = decodeQuotedPrintable(rejection.raw);
    expect(body).toContain('Hello User 7,');
    expect(body).toContain('Reason: reason 7');
    expect(body).toContain('<p>Hello User 7,</p>');
    const withdrawal = decodeQuotedPrintable(smtp.deliveries.find((d) => d.to[0] === to(8))!.raw);
    expect(withdrawal).toContain('Your withdrawal of 8.00 USD was approved.');
  });

  it('the limiter holds: with 5 per 2 s, deliveries come in bursts of at most 5, 2 s apart', async () => {
    const smtp = await startSmtpServer();
    closers.push(smtp.close);
    const { ctx } = await queueProcess({
      EMAIL_PROVIDER: 'SMTP',
      SMTP_URL: smtp.url,
      EMAIL_CONCURRENCY: '10',
      EMAIL_RATE_MAX: '5',
      EMAIL_RATE_DURATION_MS: '2000',
    });
    const h = emailHelpers(ctx.email);
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.sendWelcomeEmail(`rate-${i}@example.test`, 'R')));
    await eventually(async () => smtp.deliveries.length === 20, 60_000, '20 deliveries');
    const times = smtp.deliveries.map((d) => d.at).sort((a, b) => a - b);
    // The limiter lets 5 jobs start per 2 s window. Group delivery times wherever more than 1 s
    // passes between two deliveries: send latency would have to vary by over 1 s to merge two
    // windows' bursts, while a slow send only splits a burst (which cannot hide an excess).
    const bursts: number[][] = [[times[0]!]];
    for (let i = 1; i < times.length; i++) {
      if (times[i]! - times[i - 1]! > 1000) bursts.push([]);
      bursts[bursts.length - 1]!.push(times[i]!);
    }
    for (const burst of bursts) expect(burst.length).toBeLessThanOrEqual(5);
    // 20 emails at 5 per window need at least 4 windows: three full waits.
    expect(times[19]! - times[0]!).toBeGreaterThanOrEqual(3 * 2000 - 1000);
  });
});

describe('email-notifications over the SendGrid v3 API', () => {
  it('retries 429/5xx until delivered (3 attempts), fails a 4xx at once, and metrics show both', async () => {
    const sendgrid = await startSendGridServer((to, n) => {
      if (to.startsWith('flaky')) return [429, 503][n - 1];
      if (to.startsWith('bad')) return 400;
      return undefined;
    });
    closers.push(sendgrid.close);
    const { ctx } = await queueProcess({
      EMAIL_PROVIDER: 'SENDGRID',
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_BASE_URL: sendgrid.url,
    });
    // The producer with the seed's attempts but a short backoff, so the test takes seconds.
    const producer = new BullEmailQueue(ctx.redis, bullPrefix(ctx.config), { backoffMs: 200 });
    const h = emailHelpers(producer);
    await h.sendKYCApprovalEmail('flaky@example.test', 'Flaky <b>User</b>', 'flaky-1');
    await h.sendAccountFrozenEmail('bad@example.test', 'sanctions match', 'bad-1');

    // The job is read again once its state is final: a copy read while the last attempt was
    // still running would show one attempt fewer.
    const finished = (id: string, state: 'completed' | 'failed') => async () =>
      (await producer.queue.getJobState(id)) === state && producer.queue.getJob(id);
    const flaky = (await eventually(finished('flaky-1', 'completed'), 30_000, 'flaky job completed'))!;
    expect(flaky.attemptsMade).toBe(3);
    expect(sendgrid.countFor('flaky@example.test')).toBe(3);

    const bad = (await eventually(finished('bad-1', 'failed'), 30_000, 'bad job failed'))!;
    expect(bad.attemptsMade).toBe(1);
    expect(bad.failedReason).toContain('HTTP 400');
    // 'failed' is final (a job that will be retried is 'delayed' or 'waiting'): one request in all.
    expect(sendgrid.countFor('bad@example.test')).toBe(1);

    // The real request shape.
    const req = sendgrid.requests.find((r) => r.body.personalizations[0].to[0].email === 'flaky@example.test')!;
    expect(req).toMatchObject({ path: '/v3/mail/send', method: 'POST', authorization: 'Bearer SG.test-key' });
    expect(req.contentType).toMatch(/^application\/json/);
    expect(req.body.from).toEqual({ email: ctx.config.EMAIL_FROM });
    expect(req.body.subject).toBe('Your identity verification was approved');
    expect(req.body.content.map((c: any) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(req.body.content[1].value).toContain('Hello Flaky &lt;b&gt;User&lt;/b&gt;,');
    expect(req.body.custom_args).toEqual({ idempotency_key: 'flaky-1' });

    const metrics = await allQueueMetrics(ctx);
    expect(metrics.email).toEqual({ waiting: 0, active: 0, completed: 1, failed: 1, delayed: 0 });
    // Prometheus job outcomes come from the worker's BullMQ metrics.
    const prom = createPrometheusMetrics({
      ...queueMetricsDeps(ctx),
      queues: { email: producer.queue, ai: queueSet(ctx).ai.queue },
    });
    await prom.refresh();
    const text = await prom.registry.metrics();
    expect(text).toContain('bullmq_jobs_finished{queue="email-notifications",outcome="completed"} 1');
    expect(text).toContain('bullmq_jobs_finished{queue="email-notifications",outcome="failed"} 1');
    await producer.close();
  });
});
