/**
 * Binary options, open to settled, on the PostgreSQL-backed Temporal cluster (two server processes
 * behind HAProxy, as `npm run start:cluster` runs it) against the file-backed dev server (SQLite,
 * as `npm start` runs it), same load, interleaved by the harness: one API process and one worker
 * process on each, 10 clients opening 1 s options as fast as answers come for the measuring window,
 * then until every option settled; rate = options / (last settlement - first open), settlement lag
 * p50/p99 = settled_at - expires_at. The issue sets no goal: 0.5 flags a cluster that settles at
 * less than half the dev server's rate.
 *
 *   npm run bench -- cluster
 *
 * The cluster's databases are <bench database>_temporal and _temporal_visibility, created here and
 * dropped in tearDown with everything else it started.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { freePortBlock, freePorts } from '../../scripts/stack/net';
import { stopPidFiles, stopProcess } from '../../scripts/stack/pid-files';
import { findTemporalBinary, startDevServer } from '../../scripts/stack/temporal';
import { startTemporalTopology } from '../../scripts/stack/temporal-topology';
import { measurementMs, startAppProcess, stopAll } from '../harness/app-process';
import { deposit, openOption, waitSettled } from '../harness/binary-options';
import { percentile } from '../harness/stats';
import type { BenchEnv, Metrics, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';

const CLIENTS = 10;

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new PgClient({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** 10 clients opening for `durationMs` through `apiUrl`, then waiting until all settled. */
function side(label: string, apiUrl: string, users: BenchUser[], db: PgClient, durationMs: number): Side {
  return {
    label,
    measure: async (): Promise<Metrics> => {
      const ids: string[] = [];
      const t0 = Date.now();
      const end = performance.now() + durationMs;
      await Promise.all(
        users.map(async (u) => {
          while (performance.now() < end) ids.push(await openOption(apiUrl, u));
        }),
      );
      const { lags, lastSettledMs } = await waitSettled(db, ids);
      return {
        perSecond: ids.length / ((lastSettledMs - t0) / 1000),
        options: ids.length,
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
      };
    },
  };
}

export const workload: Workload = {
  name: 'cluster',
  title: 'binary open -> settled: Temporal cluster on PostgreSQL vs the file-backed dev server',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
      started.push({ stop: async () => rmSync(dir, { recursive: true, force: true }) });
      const db = new PgClient({ connectionString: env.databaseUrl });
      await db.connect();
      started.push({ stop: () => db.end() });

      // The dev server as `npm start` runs it: SQLite in a file.
      const binary = findTemporalBinary(env.projectDir);
      if (!binary) throw new Error('temporal CLI not found (PATH, $(go env GOPATH)/bin, .tools/bin)');
      const [devPort] = await freePorts(1);
      let devPid: number | undefined;
      started.push({
        stop: async () => {
          if (devPid) await stopProcess(devPid, 10_000);
        },
      });
      await startDevServer({
        binary,
        port: devPort!,
        dbFile: join(dir, 'temporal.db'),
        logFile: join(dir, 'dev-server.log'),
        onSpawn: (pid) => (devPid = pid),
      });

      // The cluster, on fresh databases next to the bench's own.
      const appDb = new URL(env.databaseUrl).pathname.slice(1);
      const clusterDb = {
        url: env.databaseUrl,
        temporalDb: `${appDb}_temporal`,
        visibilityDb: `${appDb}_temporal_visibility`,
      };
      const dropClusterDbs = async () => {
        for (const name of [clusterDb.temporalDb, clusterDb.visibilityDb])
          await adminQuery(env.databaseUrl, `drop database if exists "${name}" with (force)`);
      };
      await dropClusterDbs();
      started.push({ stop: dropClusterDbs });
      const pidDir = join(dir, 'pids');
      mkdirSync(pidDir);
      started.push({ stop: () => stopPidFiles(pidDir, 10_000) });
      const [temporalPort, apiPort] = await freePorts(2);
      const first = await freePortBlock(10, [temporalPort!, apiPort!]);
      const second = await freePortBlock(10, [
        temporalPort!,
        apiPort!,
        ...Array.from({ length: 10 }, (_, i) => first + i),
      ]);
      env.log('cluster: starting two Temporal server processes on PostgreSQL');
      const topology = await startTemporalTopology({
        projectDir: env.projectDir,
        dataDir: dir,
        pidDir,
        db: clusterDb,
        namespace: 'default',
        serverPortBases: [first, second],
        temporalPort: temporalPort!,
        apiPort: apiPort!,
        apiBackends: [],
        sqlMaxConns: { main: 10, visibility: 2 },
      });

      // One API and one worker on each; same users, same database.
      const users = await createBenchUsers(env.databaseUrl, CLIENTS);
      const appsOn = async (temporalAddress: string) => {
        const onThis = { ...env, temporalAddress };
        const worker = await startAppProcess('worker', onThis);
        started.push(worker);
        const api = await startAppProcess('api', onThis);
        started.push(api);
        return api;
      };
      const devApi = await appsOn(`127.0.0.1:${devPort}`);
      const clusterApi = await appsOn(topology.address);
      for (const u of users) await deposit(devApi.url, u, '100000.00');
      // Warm-up: workflow bundles loaded and caches filled on both sides before round 1.
      await waitSettled(db, [await openOption(devApi.url, users[0]!), await openOption(clusterApi.url, users[0]!)]);

      return {
        comparisons: [
          {
            name: 'binary open -> settled, cluster / dev server',
            subject: side('PostgreSQL cluster, 2 server processes', clusterApi.url, users, db, durationMs),
            baseline: side('dev server, SQLite file', devApi.url, users, db, durationMs),
            ratioOf: 'perSecond',
            goal: 0.5,
          },
        ],
        tearDown: () => stopAll(started),
      };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};
