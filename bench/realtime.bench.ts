/**
 * Realtime fan-out across instances, on loopback: 3 API processes (`src/main/api.ts`, Socket.IO
 * with the Redis adapter), 300 socket.io clients spread over them, 10,000 events published with
 * RedisEmitterPublisher (as activities do) to the clients' `user:<id>` rooms at a paced rate.
 * Reports delivered/expected, duplicates, misrouted deliveries and delivery latency
 * (publish call -> client handler; publisher and clients share this process's clock).
 *
 *   npm run bench -- realtime [--clients 300] [--events 10000] [--rate 2000]
 *
 * Bounded: it stops by itself (publishing ends after events/rate seconds, then at most 20 s of
 * draining, and a hard stop at 5 minutes). Uses DATABASE_URL/REDIS_URL/TEMPORAL_ADDRESS (or
 * .data/stack.env); when no Temporal server answers, a private in-memory dev server is started
 * and stopped again. Everything it starts, it stops.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
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

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const stackEnv = () => readStackEnv(join(projectDir, '.data'));

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

export async function main(args: string[]): Promise<void> {
  const clientCount = arg(args, 'clients', 300);
  const eventCount = arg(args, 'events', 10_000);
  const rate = arg(args, 'rate', 2000);
  const hardStop = setTimeout(() => {
    console.error('realtime bench: hard stop after 5 minutes');
    void stopAllProcesses(1000).finally(() => process.exit(2));
  }, 300_000);
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

  const prefix = `bench-rt-${randomUUID().slice(0, 8)}`;
  Object.assign(process.env, {
    TEST_DATABASE_URL: pg.url,
    TEST_REDIS_URL: redisUrl,
    TEST_TEMPORAL_ADDRESS: temporalAddress,
  });
  const env = childEnv({ REDIS_PREFIX: prefix, JWT_SECRET, LOG_LEVEL: 'warn', SOCKET_CONNECT_LIMIT: '1000' });
  const redis = createRedis(redisUrl, { name: 'bench-publisher' });
  const sockets: Socket[] = [];
  try {
    const ports = await freePorts(3);
    const t0 = performance.now();
    await Promise.all(ports.map((port, i) => startApiProcess(`api-${i}`, port, env)));
    console.log(`3 API instances up in ${((performance.now() - t0) / 1000).toFixed(1)} s (ports ${ports.join(', ')})`);

    // Clients: one user each, round-robin over the instances.
    const tokens = new TokenService(JWT_SECRET, 3600);
    const latencies: number[] = [];
    const sentAt = new Float64Array(eventCount);
    const deliveries = new Uint16Array(eventCount);
    let misrouted = 0;
    const users = Array.from({ length: clientCount }, () => randomUUID());
    const t1 = performance.now();
    await Promise.all(
      users.map(async (userId, i) => {
        const socket = connectClient(`http://127.0.0.1:${ports[i % ports.length]}`, {
          transports: ['websocket'],
          auth: { token: await tokens.issue({ userId, role: 'USER' }) },
          reconnection: false,
          forceNew: true,
        });
        sockets.push(socket);
        socket.on('wallet:balance', (p: { userId: string; balance: number }) => {
          const now = performance.now();
          if (p.userId !== userId) misrouted++;
          deliveries[p.balance]!++;
          if (deliveries[p.balance] === 1) latencies.push(now - sentAt[p.balance]!);
        });
        await new Promise<void>((ok, fail) => {
          socket.once('session:ready', () => ok());
          socket.once('connect_error', fail);
        });
      }),
    );
    console.log(`${clientCount} clients connected in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

    // Warm-up (not counted): one event per client, so JIT and socket buffers are not in the figures.
    let warmed = 0;
    for (const s of sockets) s.once('arbitrage:opportunity', () => warmed++);
    const warmPublisher = new RedisEmitterPublisher(redis, prefix);
    await Promise.all(users.map((u) => warmPublisher.publish(userRoom(u), 'arbitrage:opportunity', { warmUp: true })));
    while (warmed < clientCount) await new Promise((r) => setTimeout(r, 20));

    // Publish: event i goes to user i % clientCount, in batches every 10 ms at the target rate.
    const publisher = new RedisEmitterPublisher(redis, prefix);
    const batch = Math.max(1, Math.round(rate / 100));
    const t2 = performance.now();
    for (let seq = 0; seq < eventCount;) {
      const pending: Promise<void>[] = [];
      for (let k = 0; k < batch && seq < eventCount; k++, seq++) {
        const userId = users[seq % clientCount]!;
        sentAt[seq] = performance.now();
        pending.push(publisher.publish(userRoom(userId), 'wallet:balance', { userId, balance: seq, at: '' }));
      }
      await Promise.all(pending);
      const due = t2 + (seq / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const publishSeconds = (performance.now() - t2) / 1000;

    // Drain: until every event arrived, or 20 s without progress.
    let last = -1;
    let idleSince = performance.now();
    while (latencies.length < eventCount && performance.now() - idleSince < 20_000) {
      if (latencies.length !== last) {
        last = latencies.length;
        idleSince = performance.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    const duplicates = deliveries.reduce((n, d) => n + Math.max(0, d - 1), 0);
    const sorted = latencies.sort((a, b) => a - b);
    const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
    console.log(
      [
        `events published: ${eventCount} in ${publishSeconds.toFixed(2)} s (${Math.round(eventCount / publishSeconds)}/s, target ${rate}/s)`,
        `delivered/expected: ${latencies.length}/${eventCount} (${((100 * latencies.length) / eventCount).toFixed(2)}%)`,
        `duplicates: ${duplicates}, misrouted: ${misrouted}`,
        `load average during the run: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')} on ${cpus().length} cores`,
        `latency p50 ${fmt(percentile(sorted, 50))}, p90 ${fmt(percentile(sorted, 90))}, p99 ${fmt(percentile(sorted, 99))}, max ${fmt(sorted[sorted.length - 1] ?? NaN)}`,
      ].join('\n'),
    );
  } finally {
    for (const s of sockets) s.disconnect();
    await stopAllProcesses();
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
