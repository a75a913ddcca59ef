/**
 * The Temporal half of the production-shaped topology, shared by `npm run start:cluster`, the
 * cluster tests (test/cluster) and the cluster benchmark: schema, HAProxy, two server processes
 * sharing membership, namespace and search attributes. Every started process gets a pid file as
 * soon as it is spawned.
 */
import { join } from 'node:path';
import { startHaproxy } from './haproxy';
import { writePidFile } from './pid-files';
import { findTemporalBinary, installTemporal } from './temporal';
import {
  ensureServerBinary,
  ensureSqlTool,
  setupNamespace,
  setupSchema,
  startServerProcess,
  type ClusterDatabase,
} from './temporal-cluster';

export interface TemporalTopologyOptions {
  projectDir: string;
  /** Logs and HAProxy's configuration. */
  dataDir: string;
  pidDir: string;
  db: ClusterDatabase;
  namespace: string;
  /** Frontend port of each server process; each uses the nine ports after it too. */
  serverPortBases: number[];
  /** Balanced addresses: Temporal frontends (TCP) and the API instances (HTTP). */
  temporalPort: number;
  apiPort: number;
  apiBackends: { name: string; port: number }[];
  historyShards?: number;
  /** Per server process (cluster.yaml's defaults: 20 and 10). */
  sqlMaxConns?: { main: number; visibility: number };
}

export interface TemporalTopology {
  /** The balanced frontend address clients use. */
  address: string;
  /** Server process pids, in the order of serverPortBases. */
  serverPids: number[];
  haproxyPid: number;
  /** The Temporal CLI (for operators and the UI's binary lookups). */
  cli: string;
}

export async function startTemporalTopology(opts: TemporalTopologyOptions): Promise<TemporalTopology> {
  const server = ensureServerBinary(opts.projectDir);
  const sqlTool = ensureSqlTool(opts.projectDir);
  const cli = findTemporalBinary(opts.projectDir) ?? installTemporal(opts.projectDir);

  setupSchema(opts.projectDir, opts.db, sqlTool);

  const address = `127.0.0.1:${opts.temporalPort}`;
  const haproxyPid = await startHaproxy(
    {
      apiPort: opts.apiPort,
      apiBackends: opts.apiBackends,
      temporalPort: opts.temporalPort,
      temporalBackends: opts.serverPortBases.map((port, i) => ({ name: `temporal-${i + 1}`, port })),
    },
    join(opts.dataDir, 'haproxy.cfg'),
    join(opts.dataDir, 'haproxy.log'),
    (pid) => writePidFile(opts.pidDir, 'haproxy', pid),
  );

  const serverPids: number[] = [];
  for (const [i, portBase] of opts.serverPortBases.entries()) {
    // One after the other: the first creates the shards' ownership records, the next joins.
    const pid = await startServerProcess({
      binary: server,
      projectDir: opts.projectDir,
      db: opts.db,
      portBase,
      frontendAddress: address,
      historyShards: opts.historyShards ?? 4,
      sqlMaxConns: opts.sqlMaxConns,
      logFile: join(opts.dataDir, `temporal-${i + 1}.log`),
      onSpawn: (spawned) => writePidFile(opts.pidDir, `temporal-${i + 1}`, spawned),
    });
    serverPids.push(pid);
  }

  setupNamespace(opts.projectDir, address, opts.namespace, cli);
  return { address, serverPids, haproxyPid, cli };
}
