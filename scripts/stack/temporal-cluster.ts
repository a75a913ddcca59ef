/**
 * The Temporal server on PostgreSQL, without Docker: the server and temporal-sql-tool binaries
 * (built once per machine from the module the CLI embeds), the schema and namespace steps of
 * deploy/temporal-setup.sh, and server processes rendered from deploy/temporal/cluster.yaml. The
 * same script and configuration are what docker-compose.yml runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/kernel/temporal/search-attributes';
import { isListening, waitFor } from './net';
import { TEMPORAL_SERVER_MODULE, TEMPORAL_SERVER_VERSION, TEMPORAL_SQL_TOOL_MODULE } from './versions';

function goEnv(name: string): string | undefined {
  try {
    return execFileSync('go', ['env', name], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Both Go packages build a binary with a generic name (`server`, `sql`), so each goes into its own
 * GOBIN under GOPATH: <GOPATH>/temporal-server-bin/server and <GOPATH>/temporal-sql-bin/sql.
 */
interface ServerBinary {
  /** The name a packaged install puts on PATH. */
  name: 'temporal-server' | 'temporal-sql-tool';
  module: string;
  gobinDir: string;
  builtName: string;
}

const SERVER: ServerBinary = {
  name: 'temporal-server',
  module: TEMPORAL_SERVER_MODULE,
  gobinDir: 'temporal-server-bin',
  builtName: 'server',
};
const SQL_TOOL: ServerBinary = {
  name: 'temporal-sql-tool',
  module: TEMPORAL_SQL_TOOL_MODULE,
  gobinDir: 'temporal-sql-bin',
  builtName: 'sql',
};

/** PATH, then $(go env GOPATH)/bin and its per-binary GOBIN, then the project's .tools/bin. */
function find(binary: ServerBinary, projectDir: string): string | undefined {
  const path = onPath(binary.name);
  if (path) return path;
  const gopath = goEnv('GOPATH');
  const candidates = [
    gopath && join(gopath, 'bin', binary.name),
    gopath && join(gopath, binary.gobinDir, binary.builtName),
    join(projectDir, '.tools', 'bin', binary.name),
  ].filter((c): c is string => Boolean(c));
  return candidates.find((c) => existsSync(c));
}

/** `go install` into <GOPATH>/<gobinDir> (minutes, once per machine). */
function install(binary: ServerBinary): string {
  const gopath = goEnv('GOPATH');
  if (!gopath) {
    throw new Error(
      `${binary.name} is not installed and Go is not available to build it. Install Go (https://go.dev/dl) or ` +
        `put ${binary.name} (${binary.module}@${TEMPORAL_SERVER_VERSION}) on PATH.`,
    );
  }
  const gobin = join(gopath, binary.gobinDir);
  mkdirSync(gobin, { recursive: true });
  process.stderr.write(`Installing ${binary.module}@${TEMPORAL_SERVER_VERSION} (several minutes, once)...\n`);
  execFileSync('go', ['install', `${binary.module}@${TEMPORAL_SERVER_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: gobin },
  });
  return join(gobin, binary.builtName);
}

export const ensureServerBinary = (projectDir: string) => find(SERVER, projectDir) ?? install(SERVER);
export const ensureSqlTool = (projectDir: string) => find(SQL_TOOL, projectDir) ?? install(SQL_TOOL);

/** The server module's PostgreSQL schema (schema/postgresql/v12), downloaded if the cache lacks it. */
export function schemaDir(): string {
  const cache = goEnv('GOMODCACHE');
  const inCache = cache && join(cache, `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`, 'schema/postgresql/v12');
  if (inCache && existsSync(inCache)) return inCache;
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`], {
      encoding: 'utf8',
    }),
  ) as { Dir: string };
  return join(info.Dir, 'schema/postgresql/v12');
}

export interface ClusterDatabase {
  /** The PostgreSQL server (its database part is ignored). */
  url: string;
  temporalDb: string;
  visibilityDb: string;
}

/** SQL_* and TEMPORAL_*DB, the variables deploy/temporal-setup.sh and cluster.yaml share. */
export function sqlEnv(db: ClusterDatabase): Record<string, string> {
  const u = new URL(db.url);
  return {
    SQL_HOST: u.hostname,
    SQL_PORT: u.port || '5432',
    SQL_USER: decodeURIComponent(u.username) || 'postgres',
    SQL_PASSWORD: decodeURIComponent(u.password),
    TEMPORAL_DB: db.temporalDb,
    TEMPORAL_VISIBILITY_DB: db.visibilityDb,
  };
}

/** `Name=Type,...` for every search attribute the project uses. */
export const searchAttributesSpec = () =>
  Object.entries(SEARCH_ATTRIBUTES)
    .map(([name, type]) => `${name}=${type}`)
    .join(',');

function runSetup(projectDir: string, step: 'schema' | 'namespace', env: Record<string, string>): void {
  execFileSync('sh', [join(projectDir, 'deploy', 'temporal-setup.sh'), step], {
    cwd: projectDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
}

/** Databases and schema (created, then upgraded to this server version): before any server starts. */
export function setupSchema(projectDir: string, db: ClusterDatabase, sqlTool: string): void {
  runSetup(projectDir, 'schema', { ...sqlEnv(db), TEMPORAL_SQL_TOOL: sqlTool, TEMPORAL_SCHEMA_DIR: schemaDir() });
}

/** Namespace and search attributes, once a frontend answers. */
export function setupNamespace(projectDir: string, address: string, namespace: string, cli: string): void {
  runSetup(projectDir, 'namespace', {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_SEARCH_ATTRIBUTES: searchAttributesSpec(),
    TEMPORAL_CLI: cli,
    SETUP_RETRY_SECONDS: '1',
  });
}

/** A frontend answers gRPC (before the namespace exists, so no namespace call). */
export async function frontendAnswers(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  if (!(await isListening(host!, Number(port)))) return false;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '2s' });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export interface ServerProcessOptions {
  binary: string;
  /** Called with the pid right after spawn, before the readiness wait (pid files, stack.json). */
  onSpawn?: (pid: number) => void;
  projectDir: string;
  db: ClusterDatabase;
  /** Frontend gRPC port; the process uses the nine after it too (cluster.yaml). */
  portBase: number;
  /** The balanced address of every frontend (for the cluster's own system workers). */
  frontendAddress: string;
  historyShards: number;
  /** Per process: PostgreSQL connections for the main store and for visibility (cluster.yaml). */
  sqlMaxConns?: { main: number; visibility: number };
  logFile: string;
}

/** One server process with every role, detached; resolves with its pid once its frontend answers. */
export async function startServerProcess(opts: ServerProcessOptions): Promise<number> {
  const log = openSync(opts.logFile, 'a');
  const child = spawn(
    opts.binary,
    ['--root', opts.projectDir, '--config', 'deploy/temporal', '--env', 'cluster', 'start'],
    {
      cwd: opts.projectDir,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        ...sqlEnv(opts.db),
        TEMPORAL_PORT_BASE: String(opts.portBase),
        TEMPORAL_FRONTEND_ADDRESS: opts.frontendAddress,
        NUM_HISTORY_SHARDS: String(opts.historyShards),
        ...(opts.sqlMaxConns && {
          TEMPORAL_SQL_MAX_CONNS: String(opts.sqlMaxConns.main),
          TEMPORAL_VISIBILITY_MAX_CONNS: String(opts.sqlMaxConns.visibility),
        }),
        TEMPORAL_VERSION_CHECK_DISABLED: '1',
      },
    },
  );
  child.unref();
  opts.onSpawn?.(child.pid!);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    `Temporal server process on 127.0.0.1:${opts.portBase} (log: ${opts.logFile})`,
    async () => {
      if (exited !== null) throw new Error(`Temporal server exited with ${exited}; see ${opts.logFile}`);
      return frontendAnswers(`127.0.0.1:${opts.portBase}`);
    },
    120_000,
  );
  return child.pid!;
}
