import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../src/kernel/temporal/search-attributes';
import { hostPort, isListening, waitFor } from './net';
import { TEMPORAL_CLI_MODULE, TEMPORAL_CLI_VERSION, TEMPORAL_UI_SERVER_MODULE, TEMPORAL_UI_VERSION } from './versions';

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
  /** Called with the pid right after spawn, before the readiness wait (pid files, stack.json). */
  onSpawn?: (pid: number) => void;
  port: number;
  /**
   * The dev server's own UI, on 127.0.0.1 (tests and benchmarks leave it off). `npm start` does
   * not use it: it cannot disable write actions, so `startUiServer` serves a read-only UI instead.
   */
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
export function devServerArgs(opts: Omit<DevServerOptions, 'binary' | 'logFile'>): string[] {
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
  if (opts.uiPort) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(opts.uiPort));
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

  return args;
}

export async function startDevServer(opts: DevServerOptions): Promise<number> {
  const args = devServerArgs(opts);
  const log = openSync(opts.logFile, 'a');
  const child = spawn(opts.binary, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
  });
  child.unref();
  opts.onSpawn?.(child.pid!);
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

/** `temporal-ui-server` on PATH, then $(go env GOPATH)/bin, then .tools/bin (where `installUiServer` puts it). */
export function findUiServerBinary(projectDir: string): string | undefined {
  try {
    const onPath = execFileSync('sh', ['-c', 'command -v temporal-ui-server'], { encoding: 'utf8' }).trim();
    if (onPath) return onPath;
  } catch {
    // not on PATH
  }
  const candidates = [goBin(), join(projectDir, '.tools', 'bin')]
    .filter(Boolean)
    .map((d) => join(d!, 'temporal-ui-server'));
  return candidates.find((c) => existsSync(c));
}

/** `go install` the UI server the CLI embeds into .tools/bin/temporal-ui-server (minutes, once). */
export function installUiServer(projectDir: string): string {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'The Temporal UI server is not installed and Go is not available to build it. Install Go, or put a ' +
        `temporal-ui-server binary (${TEMPORAL_UI_SERVER_MODULE}@${TEMPORAL_UI_VERSION}) on PATH.`,
    );
  }
  const buildDir = join(projectDir, '.tools', 'ui-server-build');
  mkdirSync(buildDir, { recursive: true });
  process.stderr.write(`Installing ${TEMPORAL_UI_SERVER_MODULE}@${TEMPORAL_UI_VERSION} (a few minutes, once)...\n`);
  execFileSync('go', ['install', `${TEMPORAL_UI_SERVER_MODULE}@${TEMPORAL_UI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: buildDir },
  });
  const target = join(projectDir, '.tools', 'bin', 'temporal-ui-server');
  mkdirSync(join(projectDir, '.tools', 'bin'), { recursive: true });
  execFileSync('mv', [join(buildDir, 'server'), target]);
  return target;
}

export interface UiServerOptions {
  binary: string;
  /** Called with the pid right after spawn, before the readiness wait (pid files, stack.json). */
  onSpawn?: (pid: number) => void;
  port: number;
  temporalAddress: string;
  namespace: string;
  /** Its configuration goes to <dataDir>/temporal-ui/config/local.yaml. */
  dataDir: string;
  logFile: string;
}

/**
 * The UI configuration `npm start` runs with: on 127.0.0.1 only, and read only. With
 * `disableWriteActions` the UI server itself answers 405 to every write (terminate, cancel,
 * signal, update, reset, start, batch); queries still work. Workflows are signed against writes
 * through gRPC anyway (src/kernel/temporal/signing.ts); this keeps the browser from being one.
 */
export function uiServerConfig(opts: Pick<UiServerOptions, 'port' | 'temporalAddress' | 'namespace'>): string {
  return [
    'host: 127.0.0.1',
    `port: ${opts.port}`,
    `temporalGrpcAddress: ${opts.temporalAddress}`,
    'enableUi: true',
    `defaultNamespace: ${opts.namespace}`,
    'notifyOnNewVersion: false',
    'disableWriteActions: true',
    'workflowTerminateDisabled: true',
    'workflowCancelDisabled: true',
    'workflowSignalDisabled: true',
    'workflowUpdateDisabled: true',
    'workflowResetDisabled: true',
    'batchActionsDisabled: true',
    'startWorkflowDisabled: true',
    'activityCommandsDisabled: true',
    'hideLogs: true',
    'cors:',
    '  cookieInsecure: true',
    '  allowOrigins:',
    `    - http://127.0.0.1:${opts.port}`,
    `    - http://localhost:${opts.port}`,
    'auth:',
    '  enabled: false',
    '',
  ].join('\n');
}

/** Starts the read-only UI server, detached; resolves once it answers. */
export async function startUiServer(opts: UiServerOptions): Promise<number> {
  const root = join(opts.dataDir, 'temporal-ui');
  mkdirSync(join(root, 'config'), { recursive: true });
  writeFileSync(join(root, 'config', 'local.yaml'), uiServerConfig(opts));
  const log = openSync(opts.logFile, 'a');
  const child = spawn(opts.binary, ['--root', root, '--config', 'config', '--env', 'local', 'start'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  opts.onSpawn?.(child.pid!);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    `Temporal UI at http://127.0.0.1:${opts.port} (log: ${opts.logFile})`,
    async () => {
      if (exited !== null) throw new Error(`Temporal UI server exited with ${exited}; see ${opts.logFile}`);
      return isListening('127.0.0.1', opts.port);
    },
    30_000,
  );
  return child.pid!;
}
