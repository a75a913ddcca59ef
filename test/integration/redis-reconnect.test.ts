/**
 * The project's Redis client against a private redis-server that the test kills and restarts:
 * the outage shows in the logs (close, reconnect attempts with growing delays), the client
 * recovers on its own, and shutdown is a graceful QUIT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type Redis from 'ioredis';
import pino from 'pino';
import { freePort, isListening, waitFor } from '../../scripts/stack/net';
import { closeRedis, createRedis } from '../../src/kernel/redis/client';
import { eventually } from '../helpers/eventually';

// The same binary the stack scripts start when no Redis answers (apt's redis-server).
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';

interface LogLine {
  level: number;
  msg: string;
  redis?: string;
  attempt?: number;
  delayMs?: number;
  time: number;
}

/** A pino logger whose JSON lines are kept in memory. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk)) });
  return { logger, lines };
}

let port: number;
let server: ChildProcess | undefined;
const running = (child: ChildProcess | undefined) => child && child.exitCode === null && child.signalCode === null;

/** redis-server in the foreground on 127.0.0.1:port, no persistence (nothing survives a kill). */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  await Promise.race([waitFor(`redis-server on ${port}`, () => isListening('127.0.0.1', port), 10_000), spawnError]);
  return child;
}

function killServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!running(child)) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  port = await freePort();
});

// Each test starts with a live server, whatever the previous one left behind.
beforeEach(async () => {
  if (!running(server)) server = await startServer();
});

afterAll(async () => {
  if (server) await killServer(server);
});

describe('Redis client against a server that dies and comes back', () => {
  let redis: Redis | undefined;
  afterEach(() => {
    if (redis && redis.status !== 'end') redis.disconnect();
  });

  it('logs close and reconnect attempts with growing delays, then recovers once the server is back', async () => {
    const { logger, lines } = capturingLogger();
    redis = createRedis(`redis://127.0.0.1:${port}/0`, { logger, name: 'outage' });
    expect(await redis.set('before', '1')).toBe('OK');
    await eventually(async () => lines.some((l) => l.msg === 'redis ready'), 5_000, 'ready log');

    await killServer(server!);
    const killedAt = Date.now();
    const reconnects = () => lines.filter((l) => l.msg === 'redis reconnecting');
    // Five attempts with the seed's backoff take 50 + 100 + 200 + 400 + 800 ms.
    await eventually(async () => reconnects().length >= 5, 10_000, 'five reconnect attempts');

    expect(lines.some((l) => l.msg === 'redis connection closed' && l.time >= killedAt)).toBe(true);
    const attempts = reconnects().slice(0, 5);
    expect(attempts.map((l) => l.redis)).toEqual(Array(5).fill('outage'));
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.map((l) => l.delayMs)).toEqual([50, 100, 200, 400, 800]);
    // The delays are real: the attempts are spaced out in time, not fired back to back.
    expect(attempts[4]!.time - attempts[0]!.time).toBeGreaterThanOrEqual(50 + 100 + 200 + 400 - 20);

    // A restarted server knows nothing (no persistence); the client must find it on its own.
    server = await startServer();
    const backAt = Date.now();
    const pong = await eventually(async () => (await redis!.ping()) === 'PONG', 10_000, 'PONG after restart');
    expect(pong).toBe(true);
    expect(await redis.get('before')).toBeNull();
    expect(await redis.set('after', '2')).toBe('OK');
    expect(await redis.get('after')).toBe('2');
    // Back within one capped delay (3 s) plus the connection, with room for a busy machine.
    expect(Date.now() - backAt).toBeLessThan(8_000);
    expect(lines.some((l) => l.msg === 'redis ready' && l.time >= backAt)).toBe(true);

    // A later outage counts its attempts from 1 again.
    const before = reconnects().length;
    await killServer(server);
    await eventually(async () => reconnects().length > before, 5_000, 'a reconnect after the second kill');
    expect(reconnects()[before]).toMatchObject({ attempt: 1, delayMs: 50 });
    server = await startServer();
    await eventually(async () => (await redis!.ping()) === 'PONG', 10_000, 'PONG after the second restart');

    await closeRedis(redis);
    await eventually(async () => lines.at(-1)?.msg === 'redis connection ended, no further reconnects', 5_000, 'end');
  });

  it('shutdown is a QUIT: a reply still pending when it starts is delivered, then the client ends', async () => {
    const { logger, lines } = capturingLogger();
    redis = createRedis(`redis://127.0.0.1:${port}/0`, { logger, name: 'shutdown' });
    await redis.ping();
    // BLPOP holds the reply for 300 ms; a hard disconnect would reject it instead.
    const pending = redis.blpop('nothing-here', 0.3);
    await new Promise((r) => setTimeout(r, 50));
    await closeRedis(redis);
    await expect(pending).resolves.toBeNull();
    await eventually(async () => redis!.status === 'end', 5_000, 'status end');
    expect(lines.map((l) => l.msg).slice(-2)).toEqual([
      'redis connection closed',
      'redis connection ended, no further reconnects',
    ]);
    expect(lines.some((l) => l.msg === 'redis reconnecting')).toBe(false);
  });
});
