/**
 * Realtime fan-out, one API instance against three, on loopback. For each instance count the
 * same load runs on fresh API processes (`src/main/api.ts`, Socket.IO with the Redis adapter):
 * `--clients` socket.io clients (one user each, round-robin over the instances) and `--events`
 * `wallet:balance` events published with RedisEmitterPublisher (as activities do), event i to
 * user i mod clients, paced at `--rate` per second. The two runs are printed side by side with
 * their ratio (three / one).
 *
 *   npm run bench -- realtime [--clients 300] [--events 10000] [--rate 2000] [--settle 2000]
 *                             [--instances 1,3] [--wrong-room]
 *
 * Counting: a delivery counts only when it reaches the user the event was meant for (worked out
 * from the event's sequence number, not from anything the server echoes); a delivery to anyone
 * else is "misrouted" and never counted as delivered; a second delivery of an event to its user
 * is a duplicate. After the last expected delivery (or the drain timeout) the clients keep
 * listening for `--settle` ms, so late duplicates and misroutes are counted too. Latency is
 * publish call -> handler of the first correct delivery (publisher and clients share this
 * process's clock and CPU).
 *
 * `--wrong-room` checks the bench itself: every event goes to the next user's room, and the
 * report must read 0 delivered and every event misrouted.
 *
 * Bounded: every wait has a timeout (API start 90 s, client connect 30 s, warm-up 30 s, each
 * publish batch 10 s, drain 20 s without progress, process stop 10 s) and a hard stop at 15
 * minutes. Uses DATABASE_URL/REDIS_URL/TEMPORAL_ADDRESS (or .data/stack.env); when no Temporal
 * server answers, a private in-memory dev server is started and stopped again. Everything it
 * starts, it stops.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { io as connectClient, type Socket } from 'socket.io-client';
import { freePort, freePorts } from '../scripts/stack/net';
import { ensurePostgres, ensureRedis } from '../scripts/stack/services';
import { findTemporalBinary, startDevServer, temporalHealthy } from '../scripts/stack/temporal';
import { TokenService } from '../src/features/auth/tokens';
import { RedisEmitterPublisher } from '../src/features/realtime/emitter-publisher';
import { userRoom } from '../src/features/realtime/events';
import { closeRedis, createRedis } from '../src/kernel/redis/client';
import { childEnv, startApiProcess, stopAllProcesses } from '../test/helpers/processes';
import { readStackEnv } from '../scripts/stack/env-file';

const projectDir = resolve(__dirname, '..');
const JWT_SECRET = 'bench-realtime-secret-bench-realtime-secret';

const CONNECT_TIMEOUT_MS = 30_000;
const WARM_UP_TIMEOUT_MS = 30_000;
const PUBLISH_BATCH_TIMEOUT_MS = 10_000;
const DRAIN_IDLE_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 10_000;
const HARD_STOP_MS = 15 * 60_000;

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

const stackEnv = () => readStackEnv(join(projectDir, '.data'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or an error naming `what` after `ms`. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `done` every 20 ms; throws naming `what` and `progress()` after `ms`. */
async function until(what: string, ms: number, done: () => boolean, progress: () => string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what}: not done within ${ms / 1000} s (${progress()})`);
    await sleep(20);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

interface Load {
  clients: number;
  events: number;
  rate: number;
  settleMs: number;
  wrongRoom: boolean;
}

interface RunResult {
  instances: number;
  startSeconds: number;
  connectSeconds: number;
  publishSeconds: number;
  delivered: number;
  duplicates: number;
  misrouted: number;
  /** Deliveries whose sequence number was never published. */
  unknown: number;
  drainTimedOut: boolean;
  latencies: number[];
  loadAverage: number;
}

async function runOnce(instances: number, load: Load, redis: Redis, env: (prefix: string) => NodeJS.ProcessEnv) {
  const prefix = `bench-rt-${randomUUID().slice(0, 8)}`;
  const sockets: Socket[] = [];
  try {
    const ports = await freePorts(instances);
    const t0 = performance.now();
    await Promise.all(ports.map((port, i) => startApiProcess(`api-${instances}-${i}`, port, env(prefix))));
    const startSeconds = (performance.now() - t0) / 1000;

    const tokens = new TokenService(JWT_SECRET, 3600);
    const users = Array.from({ length: load.clients }, () => randomUUID());
    const sentAt = new Float64Array(load.events);
    /** Correct deliveries per event: exactly 1 is the goal. */
    const correct = new Uint32Array(load.events);
    const latencies: number[] = [];
    let misrouted = 0;
    let unknown = 0;
    let lastEventAt = performance.now();

    const t1 = performance.now();
    await Promise.all(
      users.map(async (userId, i) => {
        const socket = connectClient(`http://127.0.0.1:${ports[i % ports.length]}`, {
          transports: ['websocket'],
          auth: { token: await tokens.issue({ userId, role: 'USER' }) },
          reconnection: false,
          forceNew: true,
          timeout: CONNECT_TIMEOUT_MS,
        });
        sockets.push(socket);
        socket.on('wallet:balance', (p: { balance: number }) => {
          const now = performance.now();
          lastEventAt = now;
          const seq = p.balance;
          if (!Number.isInteger(seq) || seq < 0 || seq >= load.events) {
            unknown++;
            return;
          }
          // The intended user follows from the sequence number alone.
          if (users[seq % load.clients] !== userId) {
            misrouted++;
            return;
          }
          if (++correct[seq]! === 1) latencies.push(now - sentAt[seq]!);
        });
        await within(
          `client ${i} connecting`,
          CONNECT_TIMEOUT_MS,
          new Promise<void>((ok, fail) => {
            socket.once('session:ready', () => ok());
            socket.once('connect_error', fail);
          }),
        );
      }),
    );
    const connectSeconds = (performance.now() - t1) / 1000;

    // Warm-up (not counted): one event per client, so JIT and socket buffers are not in the figures.
    let warmed = 0;
    for (const s of sockets) s.once('arbitrage:opportunity', () => warmed++);
    const publisher = new RedisEmitterPublisher(redis, prefix);
    await within(
      'warm-up publish',
      PUBLISH_BATCH_TIMEOUT_MS,
      Promise.all(users.map((u) => publisher.publish(userRoom(u), 'arbitrage:opportunity', { warmUp: true }))),
    );
    await until(
      'warm-up',
      WARM_UP_TIMEOUT_MS,
      () => warmed >= load.clients,
      () => `${warmed}/${load.clients} clients warmed`,
    );

    // Publish: event i goes to user i % clients (or, with --wrong-room, to the next user's room).
    const batch = Math.max(1, Math.round(load.rate / 100));
    const t2 = performance.now();
    for (let seq = 0; seq < load.events;) {
      const pending: Promise<void>[] = [];
      for (let k = 0; k < batch && seq < load.events; k++, seq++) {
        const target = users[(seq + (load.wrongRoom ? 1 : 0)) % load.clients]!;
        sentAt[seq] = performance.now();
        pending.push(publisher.publish(userRoom(target), 'wallet:balance', { userId: target, balance: seq, at: '' }));
      }
      await within(`publishing up to event ${seq}`, PUBLISH_BATCH_TIMEOUT_MS, Promise.all(pending));
      const wait = t2 + (seq / load.rate) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const publishSeconds = (performance.now() - t2) / 1000;

    // Drain: until every event reached its user, or nothing arrived for the idle timeout.
    let drainTimedOut = false;
    lastEventAt = Math.max(lastEventAt, performance.now());
    while (latencies.length < load.events) {
      if (performance.now() - lastEventAt > DRAIN_IDLE_TIMEOUT_MS) {
        drainTimedOut = true;
        break;
      }
      await sleep(20);
    }
    // Settle: keep listening, so late duplicates and misroutes are counted too.
    await sleep(load.settleMs);

    return {
      instances,
      startSeconds,
      connectSeconds,
      publishSeconds,
      delivered: latencies.length,
      duplicates: correct.reduce((n, c) => n + Math.max(0, c - 1), 0),
      misrouted,
      unknown,
      drainTimedOut,
      latencies: latencies.sort((a, b) => a - b),
      loadAverage: loadavg()[0]!,
    } satisfies RunResult;
  } finally {
    for (const s of sockets) s.disconnect();
    await stopAllProcesses(STOP_GRACE_MS);
  }
}

function report(load: Load, runs: RunResult[]): string {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const ratio = (a: number, b: number) =>
    Number.isFinite(a) && Number.isFinite(b) && a > 0 ? (b / a).toFixed(2) : '-';
  type Row = [label: string, value: (r: RunResult) => number, show: (r: RunResult) => string];
  const pct = (r: RunResult, q: number) => percentile(r.latencies, q);
  const rows: Row[] = [
    ['API start (s)', (r) => r.startSeconds, (r) => r.startSeconds.toFixed(1)],
    ['clients connected in (s)', (r) => r.connectSeconds, (r) => r.connectSeconds.toFixed(1)],
    [
      'published per second',
      (r) => load.events / r.publishSeconds,
      (r) => String(Math.round(load.events / r.publishSeconds)),
    ],
    [
      'delivered to the right user',
      (r) => r.delivered,
      (r) => `${r.delivered}/${load.events} (${((100 * r.delivered) / load.events).toFixed(2)}%)`,
    ],
    ['missing', (r) => load.events - r.delivered, (r) => String(load.events - r.delivered)],
    ['duplicates', (r) => r.duplicates, (r) => String(r.duplicates)],
    ['misrouted (not counted as delivered)', (r) => r.misrouted, (r) => String(r.misrouted)],
    ['unknown events', (r) => r.unknown, (r) => String(r.unknown)],
    ['latency p50 (ms)', (r) => pct(r, 50), (r) => ms(pct(r, 50))],
    ['latency p90 (ms)', (r) => pct(r, 90), (r) => ms(pct(r, 90))],
    ['latency p99 (ms)', (r) => pct(r, 99), (r) => ms(pct(r, 99))],
    ['latency max (ms)', (r) => pct(r, 100), (r) => ms(pct(r, 100))],
    ['load average (1 min) after', (r) => r.loadAverage, (r) => r.loadAverage.toFixed(2)],
  ];
  const header = ['', ...runs.map((r) => `${r.instances} instance${r.instances === 1 ? '' : 's'}`)];
  const withRatio = runs.length === 2;
  if (withRatio) header.push(`${runs[1]!.instances}/${runs[0]!.instances}`);
  const table = [header];
  for (const [label, value, show] of rows) {
    const line = [label, ...runs.map(show)];
    if (withRatio) line.push(ratio(value(runs[0]!), value(runs[1]!)));
    table.push(line);
  }
  const widths = header.map((_, c) => Math.max(...table.map((l) => l[c]!.length)));
  const lines = table.map((l) =>
    l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
  const notes = runs
    .filter((r) => r.drainTimedOut)
    .map((r) => `${r.instances} instance(s): drain stopped after ${DRAIN_IDLE_TIMEOUT_MS / 1000} s without a delivery`);
  return [
    `load: ${load.clients} clients, ${load.events} events at ${load.rate}/s, settle ${load.settleMs} ms${load.wrongRoom ? ', WRONG ROOM (self-check)' : ''}; ${cpus().length} cores`,
    ...lines,
    ...notes,
  ].join('\n');
}

export async function main(args: string[]): Promise<void> {
  const load: Load = {
    clients: Number(arg(args, 'clients', '300')),
    events: Number(arg(args, 'events', '10000')),
    rate: Number(arg(args, 'rate', '2000')),
    settleMs: Number(arg(args, 'settle', '2000')),
    wrongRoom: args.includes('--wrong-room'),
  };
  const instanceCounts = arg(args, 'instances', '1,3').split(',').map(Number);
  if (!(load.clients >= 1 && load.events >= 1 && load.rate > 0 && load.settleMs >= 0)) {
    throw new Error('need --clients >= 1, --events >= 1, --rate > 0 and --settle >= 0');
  }
  if (!instanceCounts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--instances: e.g. 1,3');
  const hardStop = setTimeout(() => {
    console.error(`realtime bench: hard stop after ${HARD_STOP_MS / 60_000} minutes`);
    void stopAllProcesses(1000).finally(() => process.exit(2));
  }, HARD_STOP_MS);
  hardStop.unref();

  const dataDir = join(projectDir, '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const fromStack = stackEnv();
  const pg = await ensurePostgres(
    process.env.DATABASE_URL ?? fromStack.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance',
    dataDir,
  );
  const redisUrl = (
    await ensureRedis(process.env.REDIS_URL ?? fromStack.REDIS_URL ?? 'redis://127.0.0.1:6379/0', dataDir)
  ).url;
  let temporalAddress = process.env.TEMPORAL_ADDRESS ?? fromStack.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  let temporalPid: number | undefined;
  if (!(await temporalHealthy(temporalAddress))) {
    const binary = findTemporalBinary(projectDir);
    if (!binary) throw new Error(`no Temporal server at ${temporalAddress} and no temporal CLI to start one`);
    const port = await freePort();
    temporalPid = await startDevServer({ binary, port, logFile: join(dataDir, 'temporal.log') });
    temporalAddress = `127.0.0.1:${port}`;
  }

  Object.assign(process.env, {
    TEST_DATABASE_URL: pg.url,
    TEST_REDIS_URL: redisUrl,
    TEST_TEMPORAL_ADDRESS: temporalAddress,
  });
  const env = (prefix: string) =>
    childEnv({
      REDIS_PREFIX: prefix,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      SOCKET_CONNECT_LIMIT: String(Math.max(1000, load.clients * 2)),
      QUEUE_METRICS_BROADCAST_MS: '0',
    });
  const redis = createRedis(redisUrl, { name: 'bench-publisher' });
  try {
    const runs: RunResult[] = [];
    for (const n of instanceCounts) {
      const r = await runOnce(n, load, redis, env);
      console.log(
        `${n} instance(s): ${r.delivered}/${load.events} delivered, ${r.misrouted} misrouted, ${r.duplicates} duplicates`,
      );
      runs.push(r);
    }
    console.log(report(load, runs));
  } finally {
    await closeRedis(redis);
    if (temporalPid) {
      try {
        process.kill(temporalPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}
