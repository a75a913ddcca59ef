/**
 * SIGKILL a private Redis (AOF on, fsync always) while emails are queued and being delivered to a
 * local SMTP sink, then restart it on the same port and data directory. Every email is delivered;
 * duplicates (an email sent whose completion the dead Redis never recorded) carry the same
 * Message-ID as the first delivery (the stable job id), so the sink, like any MTA, can drop them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isListening, waitFor } from '../../scripts/stack/net';
import { BullEmailQueue } from '../../src/features/notifications/email-queue';
import { closeRedis, createRedis } from '../../src/kernel/redis/client';
import { eventually } from '../helpers/eventually';
import { startSmtpServer } from '../helpers/mail-servers';
import { childEnv } from '../helpers/processes';
import { figure, isolatedDeployment, secs, size } from './support';

const EMAILS = size(500, 5000);
const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fault-redis-'));
const running: ChildProcess[] = [];

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  running.push(child);
  await waitFor(`redis on ${port}`, () => isListening('127.0.0.1', port), 20_000);
  return child;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()));

afterAll(async () => {
  for (const c of running) {
    c.kill('SIGKILL');
    await exited(c);
  }
  rmSync(dir, { recursive: true, force: true });
});

it(`SIGKILL Redis while ${EMAILS} emails are delivered, then restart it: every email delivered, duplicates share a Message-ID`, async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  const redisUrl = `redis://127.0.0.1:${port}/0`;
  const smtp = await startSmtpServer();
  const { shared } = isolatedDeployment('redis');
  const worker = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/queue-worker-process.ts')], {
    cwd: root,
    env: {
      ...childEnv(shared),
      REDIS_URL: redisUrl,
      EMAIL_PROVIDER: 'SMTP',
      SMTP_URL: smtp.url,
      EMAIL_CONCURRENCY: '20',
      EMAIL_RATE_MAX: '1000000',
      EMAIL_RATE_DURATION_MS: '1000',
      AI_SCAN_SCHEDULE: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(worker);
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    worker.once('exit', (code) => reject(new Error(`queue worker exited early (${code})`)));
  });

  const connection = createRedis(redisUrl, { name: 'fault-enqueuer', maxRetriesPerRequest: null });
  const queue = new BullEmailQueue(connection, shared.REDIS_PREFIX, { backoffMs: 500 });
  try {
    for (let i = 0; i < EMAILS; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, EMAILS - i) }, (_x, j) =>
          queue.enqueue(
            { template: 'welcome', to: `user${i + j}@example.test`, data: { name: `User ${i + j}` } },
            `fault-welcome-${i + j}`,
          ),
        ),
      );
    }
    // Mid-delivery: a third through, Redis dies without a chance to write anything more.
    await eventually(async () => smtp.deliveries.length >= EMAILS / 3, 120_000, 'a third of the emails delivered');
    redis.kill('SIGKILL');
    await exited(redis);
    const down = Date.now();
    const deliveredAtKill = smtp.deliveries.length;
    await new Promise((r) => setTimeout(r, 2000));
    redis = await startRedis(port);
    const downFor = Date.now() - down;

    const messageIds = () =>
      smtp.deliveries.map((d) => /^Message-ID:\s*(\S+)/im.exec(d.raw)?.[1] ?? `(none ${Math.random()})`);
    await eventually(async () => new Set(messageIds()).size >= EMAILS, 300_000, `all ${EMAILS} emails delivered`);
    await new Promise((r) => setTimeout(r, 2000)); // late duplicates
    const ids = messageIds();
    const distinct = new Set(ids);
    const expected = Array.from({ length: EMAILS }, (_x, i) => `user${i}@example.test`);
    const recipients = new Set(smtp.deliveries.flatMap((d) => d.to));
    figure(
      'redis-kill',
      `${EMAILS} emails, Redis SIGKILLed after ${deliveredAtKill} and down ${secs(downFor)}: ` +
        `${distinct.size} distinct delivered, ${ids.length - distinct.size} duplicates (same Message-ID, dropped by the sink)`,
    );
    expect(distinct.size).toBe(EMAILS);
    expect(expected.filter((to) => !recipients.has(to))).toEqual([]);
    expect(ids.every((id) => id.startsWith('<fault-welcome-'))).toBe(true);
  } finally {
    worker.kill('SIGTERM');
    await exited(worker);
    await queue.close().catch(() => undefined);
    await closeRedis(connection).catch(() => undefined);
    await smtp.close();
  }
}, 600_000);
