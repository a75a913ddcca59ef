import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AppContext } from '../../src/main/context';
import { BullEmailQueue } from '../../src/features/notifications/email-queue';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { startSmtpServer } from '../helpers/mail-servers';

const root = join(__dirname, '..', '..');

function startWorkerProcess(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  // `node --import tsx` rather than the tsx CLI: the CLI relays signals to its own child and
  // SIGKILLs it when the child does not acknowledge within 30 ms (as can happen on a busy machine).
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/queue-worker-process.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: process.env.TEST_REDIS_URL,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      RUN_MIGRATIONS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

const ready = (child: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });

let ctx: AppContext;
afterAll(() => ctx?.shutdown.run('test done'));

describe('graceful shutdown of the BullMQ workers', () => {
  it('SIGTERM during 100 active jobs: they finish, the rest wait, and after a restart each is done exactly once', async () => {
    // Every message takes 1.5 s to be accepted, so 100 sends are in flight when the signal comes.
    const smtp = await startSmtpServer({ delayMs: 1500 });
    ctx = await createTestContext();
    const env = {
      REDIS_PREFIX: ctx.config.REDIS_PREFIX,
      EMAIL_PROVIDER: 'SMTP',
      SMTP_URL: smtp.url,
      EMAIL_CONCURRENCY: '100',
      EMAIL_RATE_MAX: '100000',
      EMAIL_RATE_DURATION_MS: '1000',
      AI_SCAN_SCHEDULE: 'false',
    };
    const queue = (ctx.email as BullEmailQueue).queue;
    const first = startWorkerProcess(env);
    await ready(first.child);
    for (let i = 0; i < 150; i++) {
      await ctx.email.enqueue(
        { template: 'welcome', to: `stop-${i}@example.test`, data: { name: `S${i}` } },
        `stop-${i}`,
      );
    }
    await eventually(async () => (await queue.getActiveCount()) === 100, 30_000, '100 active jobs');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // The 100 in flight finished before exit; nothing else was taken, nothing failed.
    const afterStop = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(afterStop).toEqual({ waiting: 50, active: 0, completed: 100, failed: 0, delayed: 0 });
    expect(smtp.deliveries).toHaveLength(100);

    const second = startWorkerProcess(env);
    await ready(second.child);
    await eventually(async () => (await queue.getJobCounts('completed')).completed === 150, 60_000, '150 completed');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 150,
      failed: 0,
      delayed: 0,
    });
    const recipients = smtp.deliveries.map((d) => d.to[0]);
    expect(recipients).toHaveLength(150);
    expect(new Set(recipients).size).toBe(150);
    await smtp.close();
  });
});
