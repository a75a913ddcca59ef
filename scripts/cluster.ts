/**
 * `npm run start:cluster`: the production-shaped topology on one machine, without Docker.
 *
 *   PostgreSQL, Redis          the machine's (private ones under .data/ when none answer)
 *   Temporal                   two server processes on PostgreSQL (databases temporal_cluster and
 *                              temporal_cluster_visibility), sharing membership; schema applied and
 *                              upgraded, namespace and search attributes registered, all by
 *                              deploy/temporal-setup.sh with deploy/temporal/cluster.yaml, as in
 *                              docker-compose.yml
 *   HAProxy                    API + Socket.IO on 127.0.0.1:8090 (three instances, health checks on
 *                              /ready, sticky cookie), Temporal gRPC on 127.0.0.1:7280 (both frontends)
 *   Temporal UI                read only, http://127.0.0.1:8280
 *   API                        three processes (3000, 3001, 3002), migrations applied once before
 *   workers                    two processes
 *
 * Every process runs detached with its log in .data/cluster/logs and a pid file in
 * .data/cluster/pids; `npm run stack:stop` stops exactly those. The server binaries are built once
 * per machine (`go install`, several minutes). Variables: CLUSTER_PORTS (3000,3001,3002),
 * CLUSTER_HTTP_PORT (8090), CLUSTER_TEMPORAL_PORT (7280), CLUSTER_TEMPORAL_SERVER_PORTS
 * (7300,7320), CLUSTER_UI_PORT (8280), CLUSTER_WORKERS (2), NUM_HISTORY_SHARDS (4). None of these
 * ports is one docker-compose.yml publishes, so both can run at once.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureLocalSecrets } from './stack/env-file';
import { isListening, waitFor } from './stack/net';
import { readPidFiles, writePidFile } from './stack/pid-files';
import { ensurePostgres, ensureRedis } from './stack/services';
import { findUiServerBinary, installUiServer, startUiServer } from './stack/temporal';
import { startTemporalTopology } from './stack/temporal-topology';

const root = resolve(__dirname, '..');
const dataDir = join(process.env.DATA_DIR ?? join(root, '.data'), 'cluster');
const pidDir = join(dataDir, 'pids');
const logDir = join(dataDir, 'logs');

const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback).split(',').map((p) => Number(p.trim()));
const apiPorts = list(process.env.CLUSTER_PORTS, '3000,3001,3002');
const serverPorts = list(process.env.CLUSTER_TEMPORAL_SERVER_PORTS, '7300,7320');
const httpPort = Number(process.env.CLUSTER_HTTP_PORT ?? 8090);
const temporalPort = Number(process.env.CLUSTER_TEMPORAL_PORT ?? 7280);
const uiPort = Number(process.env.CLUSTER_UI_PORT ?? 8280);
const workers = Number(process.env.CLUSTER_WORKERS ?? 2);

/** Node with tsx's loader, detached, logging to a file (signals reach the program itself). */
function startNode(name: string, script: string, env: NodeJS.ProcessEnv): number {
  const log = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...env, INSTANCE_ID: name },
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  writePidFile(pidDir, name, child.pid!);
  return child.pid!;
}

async function main(): Promise<void> {
  if (readPidFiles(pidDir).some((r) => r.ours)) {
    throw new Error(`a cluster is already running (pid files in ${pidDir}): npm run stack:stop first`);
  }
  mkdirSync(logDir, { recursive: true });

  const pg = await ensurePostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance', dataDir);
  if (pg.pid) writePidFile(pidDir, 'postgres', pg.pid);
  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', dataDir, (pid) =>
    writePidFile(pidDir, 'redis', pid),
  );

  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const temporal = await startTemporalTopology({
    projectDir: root,
    dataDir: logDir,
    pidDir,
    db: { url: pg.url, temporalDb: 'temporal_cluster', visibilityDb: 'temporal_cluster_visibility' },
    namespace,
    serverPortBases: serverPorts,
    temporalPort,
    apiPort: httpPort,
    apiBackends: apiPorts.map((port) => ({ name: `api-${port}`, port })),
    historyShards: Number(process.env.NUM_HISTORY_SHARDS ?? 4),
  });

  const uiBinary = findUiServerBinary(root) ?? installUiServer(root);
  await startUiServer({
    binary: uiBinary,
    port: uiPort,
    temporalAddress: temporal.address,
    namespace,
    dataDir,
    logFile: join(logDir, 'temporal-ui.log'),
    onSpawn: (pid) => writePidFile(pidDir, 'temporal-ui', pid),
  });

  const env: NodeJS.ProcessEnv = {
    ...ensureLocalSecrets(join(root, '.data')),
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}`,
    // One random simulated market shared by every process of this cluster.
    MARKET_SEED: randomBytes(16).toString('hex'),
    // HAProxy pins a client to one instance (cookie), so Socket.IO's long-polling fallback works.
    SOCKET_IO_POLLING: 'true',
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    RUN_MIGRATIONS: 'false',
  };

  // Once, before any instance: three instances must not race to migrate.
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const migrated = spawnSync(tsx, [join(root, 'scripts/migrate.ts')], { cwd: root, env, stdio: 'inherit' });
  if (migrated.status !== 0) throw new Error('migrations failed');

  for (const port of apiPorts) startNode(`api-${port}`, 'src/main/api.ts', { ...env, PORT: String(port) });
  for (let i = 1; i <= workers; i++) startNode(`worker-${i}`, 'src/main/worker.ts', env);

  await waitFor(
    `the API through HAProxy at 127.0.0.1:${httpPort} (logs: ${logDir})`,
    async () => {
      if (!(await isListening('127.0.0.1', httpPort))) return false;
      const res = await fetch(`http://127.0.0.1:${httpPort}/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    180_000,
  );
  process.stdout.write(
    [
      'cluster up:',
      `  API + Socket.IO  http://127.0.0.1:${httpPort} (HAProxy -> ${apiPorts.join(', ')})`,
      `  Temporal gRPC    ${temporal.address} (HAProxy -> ${serverPorts.join(', ')}), namespace ${namespace}`,
      `  Temporal UI      http://127.0.0.1:${uiPort} (read only)`,
      `  workers          ${workers}`,
      `  logs             ${logDir}`,
      '  stop with        npm run stack:stop',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`start:cluster failed: ${(err as Error).message}\n(npm run stack:stop stops what did start)\n`);
  process.exit(1);
});
