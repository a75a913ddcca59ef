/**
 * Real separate processes for multi-instance tests and the realtime benchmark: API instances and
 * a worker started from the real entry points (`tsx src/main/api.ts`, `tsx src/main/worker.ts`),
 * a publisher process (this file run as a script: the worker's event publisher),
 * and a small TCP round-robin balancer standing in for nginx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isListening, waitFor } from '../../scripts/stack/net';
import { TEST_WORKFLOW_SIGNING_KEY } from './signing';

const root = join(__dirname, '..', '..');
// Node itself with tsx's loader: the `tsx` CLI runs the program in a child process, so a SIGKILL
// sent to it would leave the real process running.
const tsxNode = (script: string, ...args: string[]) =>
  [process.execPath, ['--import', 'tsx', script, ...args]] as const;

/** Environment for a child process on the test services, sharing one Redis prefix and JWT secret. */
export function childEnv(shared: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    REDIS_URL: process.env.TEST_REDIS_URL,
    // Set by the Redis Cluster suite (jest.redis-cluster.config.js); unset, one server.
    ...(process.env.TEST_REDIS_CLUSTER_NODES && { REDIS_CLUSTER_NODES: process.env.TEST_REDIS_CLUSTER_NODES }),
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    RUN_MIGRATIONS: 'false',
    TEMPORAL_SHUTDOWN_GRACE_MS: '2000',
    // As in testConfig: the database is shared with other test files and their leftover trades.
    BINARY_RECONCILER: 'false',
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    WORKFLOW_SIGNING_KEY: TEST_WORKFLOW_SIGNING_KEY,
    KYC_LOCAL_WEBHOOK_SECRET: 'local-kyc-webhook-secret',
    MARKET_SEED: 'test-market',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_REGISTER_PER_IP: '1000000',
    RATE_LIMIT_WEBHOOK_PER_IP: '1000000',
    RATE_LIMIT_WEBHOOK_PER_PROVIDER: '1000000',
    ...shared,
  };
}

export interface ChildHandle {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  /** Every line the process wrote to stdout so far (logs: one JSON object a line). */
  stdoutLines(): string[];
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

const running = new Set<ChildHandle>();

function track(name: string, child: ChildProcess): ChildHandle {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 50) lines.splice(0, lines.length - 50);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stdoutLines: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => stdoutLines.push(line));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const handle: ChildHandle = {
    name,
    child,
    exited,
    output: () => lines.join('\n'),
    stdoutLines: () => [...stdoutLines],
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

export interface ApiProcess extends ChildHandle {
  port: number;
  url: string;
}

/** `tsx src/main/api.ts` on `port`; resolves once it accepts connections (within `timeoutMs`). */
export async function startApiProcess(
  name: string,
  port: number,
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<ApiProcess> {
  const child = spawn(...tsxNode(join(root, 'src/main/api.ts')), {
    cwd: root,
    env: { ...env, PORT: String(port), INSTANCE_ID: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(name, child);
  let exit: number | string | undefined;
  void handle.exited.then((code) => (exit = code));
  await waitFor(
    `api ${name} on ${port}`,
    async () => {
      if (exit !== undefined) throw new Error(`api ${name} exited with ${exit}:\n${handle.output()}`);
      return isListening('127.0.0.1', port);
    },
    timeoutMs,
  );
  return { ...handle, port, url: `http://127.0.0.1:${port}` };
}

/** `tsx src/main/worker.ts`; resolves once its Temporal workers poll (its "temporal workers running" log line). */
export async function startWorkerProcess(
  name: string,
  env: NodeJS.ProcessEnv,
  logLevel: 'info' | 'debug' = 'info',
  timeoutMs = 150_000,
): Promise<ChildHandle> {
  const child = spawn(...tsxNode(join(root, 'src/main/worker.ts')), {
    cwd: root,
    env: { ...env, LOG_LEVEL: logLevel, INSTANCE_ID: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(name, child);
  let exit: number | string | undefined;
  void handle.exited.then((code) => (exit = code));
  await waitFor(
    `worker ${name}`,
    async () => {
      if (exit !== undefined) throw new Error(`worker ${name} exited with ${exit}:\n${handle.output()}`);
      return handle.output().includes('temporal workers running');
    },
    timeoutMs,
  );
  return handle;
}

export interface PublisherProcess extends ChildHandle {
  /** Publishes through the event publisher in the child; resolves when Redis accepted the publish. */
  publish(rooms: string | string[], event: string, payload: unknown): Promise<void>;
}

/** This file as a script: a long-lived publisher process taking JSON lines on stdin. */
export async function startPublisherProcess(env: NodeJS.ProcessEnv): Promise<PublisherProcess> {
  const child = spawn(...tsxNode(__filename, 'publisher'), { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const handle = track('publisher', child);
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: { id?: number; ok?: boolean; error?: string; ready?: boolean };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.ready) return ready();
    const w = waiting.get(msg.id!);
    waiting.delete(msg.id!);
    if (msg.ok) w?.resolve();
    else w?.reject(new Error(msg.error));
  });
  await Promise.race([
    isReady,
    handle.exited.then((code) => {
      throw new Error(`publisher exited with ${code}:\n${handle.output()}`);
    }),
  ]);
  let next = 0;
  return {
    ...handle,
    publish: (rooms, event, payload) =>
      new Promise<void>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve, reject });
        child.stdin!.write(`${JSON.stringify({ id, rooms, event, payload })}\n`);
      }),
  };
}

/** Stops every process these helpers started (SIGTERM, then SIGKILL after `graceMs`). */
export async function stopAllProcesses(graceMs = 10_000): Promise<void> {
  await Promise.all(
    [...running].map(async (h) => {
      const timer = setTimeout(() => h.kill('SIGKILL'), graceMs);
      await h.kill('SIGTERM');
      clearTimeout(timer);
    }),
  );
}

export interface Balancer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP round-robin balancer (what nginx does in docker-compose, minus HTTP): each new connection
 * goes to the next backend; a backend that refuses is skipped. No stickiness, so a reconnecting
 * client lands on whichever instance is next.
 */
export async function startBalancer(backendPorts: number[]): Promise<Balancer> {
  let turn = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.pause();
    const tryBackend = (attempt: number) => {
      if (attempt >= backendPorts.length) return client.destroy();
      const port = backendPorts[turn++ % backendPorts.length]!;
      const upstream = connect({ host: '127.0.0.1', port });
      let connected = false;
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected && err.code === 'ECONNREFUSED') tryBackend(attempt + 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        connected = true;
        open.add(upstream);
        upstream.once('close', () => {
          open.delete(upstream);
          client.destroy();
        });
        client.on('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// --- the publisher process ---------------------------------------------------------------------
if (require.main === module && process.argv[2] === 'publisher') {
  void (async () => {
    const { loadConfigOrExit } = await import('../../src/kernel/config');
    const { createRedis, closeRedis } = await import('../../src/kernel/redis/client');
    const { redisConnection } = await import('../../src/kernel/redis/client');
    const { eventPublisherFor } = await import('../../src/features/realtime/publisher');
    const config = loadConfigOrExit();
    const redis = createRedis(redisConnection(config), { name: 'test-publisher' });
    const publisher = eventPublisherFor(redis, config);
    await redis.ping();
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      const { id, rooms, event, payload } = JSON.parse(line);
      publisher.publish(rooms, event, payload).then(
        () => process.stdout.write(`${JSON.stringify({ id, ok: true })}\n`),
        (err: Error) => process.stdout.write(`${JSON.stringify({ id, ok: false, error: err.message })}\n`),
      );
    });
    lines.once('close', () => void closeRedis(redis).then(() => process.exit(0)));
    process.once('SIGTERM', () => void closeRedis(redis).then(() => process.exit(0)));
  })();
}
