/**
 * Before the cluster tests: the Temporal half of the production-shaped topology, from the same
 * code as `npm run start:cluster` (scripts/stack/temporal-topology.ts) on fresh databases
 * (<test database>_temporal and _temporal_visibility) and free ports: two server processes on
 * PostgreSQL and HAProxy in front of them and of three API ports (the test file starts the API and
 * worker processes, so it can kill them). Then the usual global setup, pointed at this cluster.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePortBlock, freePorts } from '../../scripts/stack/net';
import { stopPidFiles } from '../../scripts/stack/pid-files';
import { startTemporalTopology } from '../../scripts/stack/temporal-topology';
import baseGlobalSetup from '../global-setup';

const projectDir = resolve(__dirname, '..', '..');
export const clusterDataDir = join(projectDir, '.data', 'test-cluster');
export const clusterPidDir = join(clusterDataDir, 'pids');

async function recreateDatabases(serverUrl: string, names: string[]): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const name of names) await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

export default async function globalSetup(): Promise<void> {
  // A previous run that was interrupted: its processes (pid files) go first.
  await stopPidFiles(clusterPidDir, 5_000);
  rmSync(clusterDataDir, { recursive: true, force: true });
  mkdirSync(clusterDataDir, { recursive: true });

  const pgUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance';
  const base = new URL(pgUrl).pathname.replace(/^\//, '') || 'compliance';
  const db = { url: pgUrl, temporalDb: `${base}_test_temporal`, visibilityDb: `${base}_test_temporal_visibility` };
  await recreateDatabases(pgUrl, [db.temporalDb, db.visibilityDb]);

  const [temporalPort, apiPort, ...apiPorts] = await freePorts(5);
  const first = await freePortBlock(10, [temporalPort!, apiPort!, ...apiPorts]);
  const second = await freePortBlock(10, [
    temporalPort!,
    apiPort!,
    ...apiPorts,
    ...Array.from({ length: 10 }, (_, i) => first + i),
  ]);
  const topology = await startTemporalTopology({
    projectDir,
    dataDir: clusterDataDir,
    pidDir: clusterPidDir,
    db,
    namespace: 'default',
    serverPortBases: [first, second],
    temporalPort: temporalPort!,
    apiPort: apiPort!,
    apiBackends: apiPorts.map((port, i) => ({ name: `api-${'ABC'[i]}`, port })),
    // The machine's PostgreSQL (max_connections 100 by default) also serves the six app processes.
    sqlMaxConns: { main: 6, visibility: 2 },
    historyShards: 4, // HISTORY_SHARDS in cluster.test.ts
  });

  Object.assign(process.env, {
    TEST_TEMPORAL_ADDRESS: topology.address,
    CLUSTER_TEST_LB_URL: `http://127.0.0.1:${apiPort}`,
    CLUSTER_TEST_API_PORTS: apiPorts.join(','),
    CLUSTER_TEST_SERVER_PIDS: topology.serverPids.join(','),
    CLUSTER_TEST_SERVER_PORTS: [first, second].join(','),
    CLUSTER_TEST_LOG_DIR: clusterDataDir,
  });
  await baseGlobalSetup();
}
