/**
 * A private three-master Redis Cluster on free ports, for the tests that run against a cluster
 * (`npm run test:redis-cluster`): three `redis-server --cluster-enabled yes` processes in a
 * temporary directory, joined by `redis-cli --cluster create --cluster-replicas 0`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, isListening, waitFor } from '../../scripts/stack/net';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** host:port of every master, the value REDIS_CLUSTER_NODES takes. */
  nodes: string[];
  pids: number[];
  dir: string;
}

export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = await freePorts(masters);
  const pids: number[] = [];
  try {
    for (const port of ports) {
      const log = openSync(join(dir, `${port}.log`), 'a');
      const child = spawn(
        process.env.REDIS_SERVER_BIN ?? 'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ],
        { detached: true, stdio: ['ignore', log, log] },
      );
      child.unref();
      if (child.pid) pids.push(child.pid);
    }
    for (const port of ports) {
      await waitFor(`redis-server on ${port}`, () => isListening('127.0.0.1', port), 10_000);
    }
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    // `create` returns once the slots are assigned; every node must also agree the cluster is up.
    await waitFor(
      'redis cluster state ok',
      async () => {
        const states = await Promise.all(
          ports.map((p) =>
            run('redis-cli', ['-p', String(p), 'cluster', 'info']).then(
              ({ stdout }) => /cluster_state:ok/.test(stdout),
              () => false,
            ),
          ),
        );
        return states.every(Boolean);
      },
      20_000,
    );
    return { nodes, pids, dir };
  } catch (err) {
    stopRedisCluster({ nodes: [], pids, dir });
    throw err;
  }
}

export function stopRedisCluster(cluster: LocalRedisCluster): void {
  for (const pid of cluster.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(cluster.dir, { recursive: true, force: true });
}
