/**
 * The project's processes as a bench subject: the standalone API (src/main/api.ts, what
 * `npm run start:api` runs) or the all-in-one process (src/main/all.ts, what `npm start` runs),
 * or the worker alone; run through tsx's loader (same code as the build, transpiled at load).
 * Output goes to a log file, as under `npm start` with a redirected terminal: the bench process
 * does not pay for reading it. Every process started here is stopped by `stopAppProcesses()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, isListening, waitFor } from '../../scripts/stack/net';
import { TEST_WORKFLOW_SIGNING_KEY } from '../../test/helpers/signing';
import type { BenchEnv } from './types';

export type AppRole = 'api' | 'all' | 'worker';

export const BENCH_JWT_SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';

export interface AppProcess {
  role: AppRole;
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Stopped by `stopAppProcesses()` with the rest (bare baseline servers use it too). */
export function trackChild(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** The environment every bench process shares: the run's services, limits out of the way. */
export function appEnv(env: BenchEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    RUN_MIGRATIONS: 'false',
    TEMPORAL_SHUTDOWN_GRACE_MS: '2000',
    JWT_SECRET: BENCH_JWT_SECRET,
    WORKFLOW_SIGNING_KEY: TEST_WORKFLOW_SIGNING_KEY,
    KYC_LOCAL_WEBHOOK_SECRET: 'local-kyc-webhook-secret',
    MARKET_SEED: 'bench-market',
    RATE_LIMIT_LOGIN_PER_IP: '1000000',
    RATE_LIMIT_REGISTER_PER_IP: '1000000',
    MAX_TRADES_PER_HOUR: '1000000',
    SUSPICIOUS_VELOCITY_THRESHOLD: '1000000000',
    MAX_DAILY_TRADE_VOLUME: '1000000000',
    MAX_DAILY_DEPOSITS: '1000000000',
    ...extra,
  };
}

const logDir = (projectDir: string) => join(projectDir, '.data', 'bench');

/** The previous run's process logs go (access lines at info: tens of MB per process and run). */
export function clearAppLogs(projectDir: string): void {
  rmSync(logDir(projectDir), { recursive: true, force: true });
}

const entry: Record<AppRole, string> = { api: 'src/main/api.ts', all: 'src/main/all.ts', worker: 'src/main/worker.ts' };

/** Starts `role`; resolves once the API listens (or the worker's Temporal workers run). */
export async function startAppProcess(
  role: AppRole,
  env: BenchEnv,
  extra: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<AppProcess> {
  const [port] = await freePorts(1);
  const logFile = join(logDir(env.projectDir), `${role}-${port}.log`);
  mkdirSync(logDir(env.projectDir), { recursive: true });
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(env.projectDir, entry[role])], {
    cwd: env.projectDir,
    env: { ...appEnv(env, extra), PORT: String(port), INSTANCE_ID: `bench-${role}` },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  running.add(child);
  let exit: number | string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? -1;
      running.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (exit === undefined) child.kill('SIGTERM');
    const timer = setTimeout(() => exit === undefined && child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `${role} process`,
      async () => {
        if (exit !== undefined) throw new Error(`${role} exited with ${exit}: ${tail(logFile)}`);
        if (role === 'worker') return readFileSync(logFile, 'utf8').includes('temporal workers running');
        return isListening('127.0.0.1', port!);
      },
      180_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { role, url: `http://127.0.0.1:${port}`, pid: child.pid!, logFile, stop };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** Stops every process this module started (on failure and Ctrl-C too). */
export async function stopAppProcesses(): Promise<void> {
  const children = [...running];
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

/** How long one measurement of a workload runs: 'ci' keeps a workload to about a minute. */
export const measurementMs = (size: BenchEnv['size']): number => (size === 'full' ? 15_000 : 4_000);

/** Stops what a workload started, last first; one failing stop does not keep the others running. */
export async function stopAll(started: { stop(): Promise<void> }[]): Promise<void> {
  for (const s of [...started].reverse()) await s.stop().catch(() => undefined);
}
