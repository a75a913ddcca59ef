/**
 * The private services of one bench run: a fresh database (<DATABASE_URL's name>_bench_<pid>, migrated
 * with the project's migrations), a Redis db of its own (BENCH_REDIS_DB, else TEST_REDIS_DB, else
 * 14; flushed before and after), and an in-memory Temporal dev server on a free port. `stop()`
 * undoes all of it and is safe to call twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { freePorts } from '../../scripts/stack/net';
import { findTemporalBinary, startDevServer } from '../../scripts/stack/temporal';
import { createOrm, migrate } from '../../src/kernel/db/orm';

export interface BenchServices {
  databaseUrl: string;
  redisUrl: string;
  temporalAddress: string;
  /** The dev server's process, for CPU accounting (bench/harness/cpu.ts). */
  temporalPid: number;
  /** A temp directory for logs and bundles, removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startBenchServices(projectDir: string, log: (m: string) => void): Promise<BenchServices> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance';
  const base = new URL(serverUrl).pathname.replace(/^\//, '') || 'compliance';
  // The pid keeps two runs (or a profile beside a run) from dropping each other's database.
  const dbName = `${base}_bench_${process.pid}`;
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const redisDb = Number(process.env.BENCH_REDIS_DB ?? process.env.TEST_REDIS_DB ?? 14);
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redisUrl.pathname = `/${redisDb}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
  let temporalPid: number | undefined;
  let stopped = false;

  const flushRedis = async () => {
    const redis = new Redis(redisUrl.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (temporalPid) {
      try {
        process.kill(temporalPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await flushRedis().catch(() => undefined);
    await admin(serverUrl, `drop database if exists "${dbName}" with (force)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    log(`database ${dbName}, redis db ${redisDb}`);
    await admin(serverUrl, `drop database if exists "${dbName}" with (force)`);
    await admin(serverUrl, `create database "${dbName}"`);
    const orm = await createOrm(dbUrl.toString());
    await migrate(orm).finally(() => orm.close());
    await flushRedis();
    const binary = findTemporalBinary(projectDir);
    if (!binary) throw new Error('temporal CLI not found (PATH, $(go env GOPATH)/bin, .tools/bin)');
    const [port] = await freePorts(1);
    temporalPid = await startDevServer({ binary, port: port!, logFile: join(dir, 'temporal.log') });
    log(`temporal dev server 127.0.0.1:${port} (pid ${temporalPid})`);
    return {
      databaseUrl: dbUrl.toString(),
      redisUrl: redisUrl.toString(),
      temporalAddress: `127.0.0.1:${port}`,
      temporalPid,
      dir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
