import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/kernel/temporal/search-attributes';
import { hostPort, isListening, waitFor } from './net';
import { TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION } from './versions';

/** Frontend answers a gRPC call for the namespace (a bare open port is not enough). */
export async function temporalHealthy(address: string, namespace = 'default'): Promise<boolean> {
  const { host, port } = hostPort(address, 7233);
  if (!(await isListening(host, port))) return false;
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '2s' });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

function goBin(): string | undefined {
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    return join(gopath, 'bin');
  } catch {
    return undefined;
  }
}

/** PATH, then $(go env GOPATH)/bin, then the project's .tools/bin. */
export function findTemporalBinary(projectDir: string): string | undefined {
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).trim();
    if (onPath) return onPath;
  } catch {
    // not on PATH
  }
  const candidates = [goBin(), join(projectDir, '.tools', 'bin')].filter(Boolean).map((d) => join(d!, 'temporal'));
  return candidates.find((c) => existsSync(c));
}

/** `go install` the pinned CLI into .tools/bin (takes minutes the first time on a machine). */
export function installTemporal(projectDir: string): string {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'The Temporal CLI is not installed and Go is not available to build it. Install Go (https://go.dev/dl) ' +
        `or the Temporal CLI, or point TEMPORAL_ADDRESS at a running Temporal server.`,
    );
  }
  const binDir = join(projectDir, '.tools', 'bin');
  mkdirSync(binDir, { recursive: true });
  process.stderr.write(`Installing ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} (a few minutes, once)...\n`);
  execFileSync('go', ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: binDir },
  });
  return join(binDir, 'temporal');
}

export interface DevServerOptions {
  binary: string;
  port: number;
  uiPort?: number;
  /** SQLite file for persistence; in memory when absent (tests). */
  dbFile?: string;
  logFile: string;
  namespace?: string;
}

/**
 * Starts `temporal server start-dev` on 127.0.0.1, detached, with the project's search attributes
 * and no update check (no network here). With a file, SQLite runs in WAL mode with
 * synchronous=NORMAL: the plain file-backed default manages about one workflow a second.
 */
export async function startDevServer(opts: DevServerOptions): Promise<number> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
  ];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);

  const log = openSync(opts.logFile, 'a');
  const child = spawn(opts.binary, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  child.unref();
  const address = `127.0.0.1:${opts.port}`;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    `Temporal dev server at ${address} (log: ${opts.logFile})`,
    async () => {
      if (exited !== null) throw new Error(`Temporal dev server exited with ${exited}; see ${opts.logFile}`);
      return temporalHealthy(address, opts.namespace);
    },
    60_000,
  );
  return child.pid!;
}
