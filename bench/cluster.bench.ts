/**
 * Binary options, open to settled, on the PostgreSQL-backed Temporal cluster (two server processes
 * behind HAProxy, as `npm run start:cluster` runs it) versus the file-backed dev server (SQLite,
 * as `npm start` runs it), in one run with the same load: one API process and one worker process
 * each, N options of 1 s expiry opened by 10 concurrent clients. Reports throughput (settled
 * options per second, from the first open to the last settlement) and settlement lag (settled at
 * minus expiry instant, p50/p99), and the cluster's figures as a ratio of the dev server's.
 *
 *   npm run bench -- cluster [N=100]
 *
 * Uses DATABASE_URL's server (database <name>_bench, migrated; Temporal databases
 * <name>_bench_temporal*, recreated) and REDIS_URL (a fresh key prefix). Bounded: every wait has a
 * timeout; everything it starts, it stops.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePortBlock, freePorts } from '../scripts/stack/net';
import { stopPidFiles } from '../scripts/stack/pid-files';
import { ensurePostgres, ensureRedis } from '../scripts/stack/services';
import { findTemporalBinary, installTemporal, startDevServer } from '../scripts/stack/temporal';
import { startTemporalTopology } from '../scripts/stack/temporal-topology';
import { createOrm, migrate } from '../src/kernel/db/orm';
import { httpClient, registerUser } from '../test/helpers/http';
import { childEnv, startApiProcess, startWorkerProcess, stopAllProcesses } from '../test/helpers/processes';

const projectDir = resolve(__dirname, '..');
const CONCURRENCY = 10;

interface Figures {
  throughput: number;
  p50: number;
  p99: number;
}

async function adminQuery(serverUrl: string, queries: string[]): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const q of queries)
      await client.query(q).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // database exists
      });
  } finally {
    await client.end();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** One API and one worker on `temporalAddress`; N options opened, waited for until all settle. */
async function measure(temporalAddress: string, appDbUrl: string, redisUrl: string, n: number): Promise<Figures> {
  const env = childEnv({
    DATABASE_URL: appDbUrl,
    REDIS_URL: redisUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    REDIS_PREFIX: `bench-${randomUUID().slice(0, 8)}`,
    MAX_TRADES_PER_HOUR: '1000000',
    SUSPICIOUS_VELOCITY_THRESHOLD: '1000000000',
  });
  const [port] = await freePorts(1);
  const worker = startWorkerProcess('bench-worker', env);
  const api = await startApiProcess('bench-api', port!, env);
  await worker;
  const orm = await createOrm(appDbUrl);
  try {
    const http = httpClient(api.url);
    const users = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const u = await registerUser(http);
      const dep = await http.post('/wallet/deposit', { amount: '10000.00' }, u.token, {
        'idempotency-key': randomUUID(),
      });
      if (dep.status !== 201) throw new Error(`deposit: ${dep.status}`);
      users.push(u);
    }
    const ids: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      users.map(async (u) => {
        while (next < n) {
          next++;
          const res = await http.post(
            '/binary/open',
            { symbol: 'BTCUSD', direction: 'UP', stake: '1.00', expiry: 1 },
            u.token,
            { 'idempotency-key': randomUUID() },
          );
          if (res.status !== 201) throw new Error(`open: ${res.status} ${JSON.stringify(res.body)}`);
          ids.push(res.body.id);
        }
      }),
    );
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const rows = await orm.em
        .fork()
        .execute<{ n: number }[]>(`select count(*)::int n from binary_trades where id in (?) and status = 'OPEN'`, [
          ids,
        ]);
      if (rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.n} options still open after 10 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = await orm.em.fork().execute<{ lag: number; settled: number }[]>(
      `select extract(epoch from settled_at - expires_at) * 1000 lag, extract(epoch from settled_at) * 1000 settled
       from binary_trades where id in (?)`,
      [ids],
    );
    const lags = rows.map((r) => Number(r.lag)).sort((a, b) => a - b);
    const lastSettled = Math.max(...rows.map((r) => Number(r.settled)));
    return { throughput: n / ((lastSettled - started) / 1000), p50: percentile(lags, 50), p99: percentile(lags, 99) };
  } finally {
    await orm.close();
    await stopAllProcesses();
  }
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100);
  const pg = await ensurePostgres(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance',
    tmpdir(),
  );
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', tmpdir());
  const base = new URL(pg.url).pathname.replace(/^\//, '') || 'compliance';
  const appDb = new URL(pg.url);
  appDb.pathname = `/${base}_bench`;
  await adminQuery(pg.url, [`create database "${base}_bench"`]);
  const orm = await createOrm(appDb.toString());
  await migrate(orm).finally(() => orm.close());

  const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  const pidDir = join(dir, 'pids');
  mkdirSync(pidDir);
  try {
    // The dev server, file-backed (SQLite with the pragmas `npm start` uses).
    const binary = findTemporalBinary(projectDir) ?? installTemporal(projectDir);
    const [devPort] = await freePorts(1);
    const devPid = await startDevServer({
      binary,
      port: devPort!,
      dbFile: join(dir, 'temporal.db'),
      logFile: join(dir, 'dev-server.log'),
    });
    let dev: Figures;
    try {
      dev = await measure(`127.0.0.1:${devPort}`, appDb.toString(), redis.url, n);
    } finally {
      process.kill(devPid, 'SIGTERM');
    }

    // The cluster, on fresh databases.
    const db = { url: pg.url, temporalDb: `${base}_bench_temporal`, visibilityDb: `${base}_bench_temporal_visibility` };
    await adminQuery(
      pg.url,
      [db.temporalDb, db.visibilityDb].map((d) => `drop database if exists "${d}" with (force)`),
    );
    const [temporalPort, apiPort] = await freePorts(2);
    const first = await freePortBlock(10, [temporalPort!, apiPort!]);
    const second = await freePortBlock(10, [
      temporalPort!,
      apiPort!,
      ...Array.from({ length: 10 }, (_, i) => first + i),
    ]);
    const topology = await startTemporalTopology({
      projectDir,
      dataDir: dir,
      pidDir,
      db,
      namespace: 'default',
      serverPortBases: [first, second],
      temporalPort: temporalPort!,
      apiPort: apiPort!,
      apiBackends: [],
      sqlMaxConns: { main: 10, visibility: 2 },
    });
    const cluster = await measure(topology.address, appDb.toString(), redis.url, n);

    const row = (name: string, f: Figures) =>
      `  ${name.padEnd(34)} ${f.throughput.toFixed(2).padStart(7)}/s   lag p50 ${f.p50.toFixed(0).padStart(6)} ms   p99 ${f.p99.toFixed(0).padStart(6)} ms`;
    console.log(
      `binary options open to settled: ${n} options, 1 s expiry, ${CONCURRENCY} concurrent clients, 1 API + 1 worker`,
    );
    console.log(row('dev server, SQLite file (baseline)', dev));
    console.log(row('cluster, PostgreSQL, 2 processes', cluster));
    console.log(
      `  ratio cluster/dev: throughput ${(cluster.throughput / dev.throughput).toFixed(2)}x, ` +
        `lag p50 ${(cluster.p50 / dev.p50).toFixed(2)}x, p99 ${(cluster.p99 / dev.p99).toFixed(2)}x`,
    );
  } finally {
    await stopPidFiles(pidDir, 10_000);
    rmSync(dir, { recursive: true, force: true });
  }
}
