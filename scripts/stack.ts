/**
 * The local stack without Docker. `up` makes sure PostgreSQL, Redis and a Temporal dev server
 * answer (starting private ones when they do not), records what it started in .data/stack.json
 * and writes the resolved URLs to .data/stack.env. `down` stops what `up` started, nothing else,
 * and what `npm run start:cluster` started (its pid files in .data/cluster/pids).
 *
 * `up` (and `secrets`) also generate this clone's own secrets into .data/secrets.env on the first
 * run and add them to .data/stack.env: no secret used locally is written in the repository.
 *
 *   tsx scripts/stack.ts up | down | status | secrets
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureLocalSecrets, writeStackEnv } from './stack/env-file';
import { isSameProcess, processStartTime, stopPidFiles, stopProcess } from './stack/pid-files';
import { hostPort } from './stack/net';
import { ensurePostgres, ensureRedis } from './stack/services';
import {
  findTemporalBinary,
  findUiServerBinary,
  installTemporal,
  installUiServer,
  startDevServer,
  startUiServer,
  temporalHealthy,
} from './stack/temporal';
import { isListening } from './stack/net';

const projectDir = resolve(__dirname, '..');
const dataDir = process.env.DATA_DIR ?? join(projectDir, '.data');
const stateFile = join(dataDir, 'stack.json');

interface StackState {
  /** Each started process with its start time (/proc), so `down` never stops a reused pid. */
  pids: Record<string, { pid: number; started?: string }>;
  env: Record<string, string>;
}

function readState(): StackState {
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as StackState) : { pids: {}, env: {} };
}

async function up(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const state = readState();
  const env: Record<string, string> = {};
  // Written right after spawn, before the readiness wait: one that never gets ready is still stopped.
  const record = (name: string) => (pid: number) => {
    state.pids[name] = { pid, started: processStartTime(pid) };
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
  };

  const pg = await ensurePostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance', dataDir);
  env.DATABASE_URL = pg.url;
  if (pg.pid) record('postgres')(pg.pid);

  const redis = await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', dataDir, record('redis'));
  env.REDIS_URL = redis.url;

  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  if (!(await temporalHealthy(address, namespace))) {
    const binary = findTemporalBinary(projectDir) ?? installTemporal(projectDir);
    const { port } = hostPort(address, 7233);
    process.stderr.write(`Starting Temporal dev server on 127.0.0.1:${port}...\n`);
    // Headless: its embedded UI cannot turn write actions off; the UI server below can.
    await startDevServer({
      binary,
      port,
      namespace,
      dbFile: join(dataDir, 'temporal.db'),
      logFile: join(dataDir, 'temporal.log'),
      onSpawn: record('temporal'),
    });
  }
  // The Temporal UI: 127.0.0.1 only, read only (scripts/stack/temporal.ts uiServerConfig).
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  if (!(await isListening('127.0.0.1', uiPort))) {
    const uiBinary = findUiServerBinary(projectDir) ?? installUiServer(projectDir);
    process.stderr.write(`Starting the read-only Temporal UI on http://127.0.0.1:${uiPort}...\n`);
    await startUiServer({
      binary: uiBinary,
      port: uiPort,
      temporalAddress: address,
      namespace,
      dataDir,
      logFile: join(dataDir, 'temporal-ui.log'),
      onSpawn: record('temporal-ui'),
    });
  }
  env.TEMPORAL_ADDRESS = address;
  env.TEMPORAL_NAMESPACE = namespace;

  state.env = env;
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  writeStackEnv(dataDir, { ...env, ...ensureLocalSecrets(dataDir) });
  process.stdout.write(`stack up: ${JSON.stringify(env)}\n`);
}

async function down(): Promise<void> {
  // What `npm run start:cluster` started (its pid files), APIs and workers first.
  await stopPidFiles(join(dataDir, 'cluster', 'pids'), 15_000, (line) => process.stdout.write(`${line}\n`));
  const state = readState();
  for (const [name, { pid, started }] of Object.entries(state.pids)) {
    // Gone, or its pid reused by another process since: not ours to stop.
    if (!isSameProcess(pid, started)) continue;
    await stopProcess(pid, 10_000);
    process.stdout.write(`stopped ${name} (pid ${pid})\n`);
  }
  rmSync(stateFile, { force: true });
}

function status(): void {
  const state = readState();
  for (const [name, { pid, started }] of Object.entries(state.pids)) {
    process.stdout.write(`${name}: pid ${pid} ${isSameProcess(pid, started) ? 'running' : 'not running'}\n`);
  }
  process.stdout.write(`${JSON.stringify(state.env)}\n`);
}

function secrets(): void {
  mkdirSync(dataDir, { recursive: true });
  const generated = ensureLocalSecrets(dataDir);
  process.stdout.write(`secrets in ${join(dataDir, 'secrets.env')}: ${Object.keys(generated).join(', ')}\n`);
}

const command = process.argv[2];
const actions: Record<string, () => Promise<void> | void> = { up, down, status, secrets };
const action = command ? actions[command] : undefined;
if (!action) {
  process.stderr.write('usage: tsx scripts/stack.ts up|down|status|secrets\n');
  process.exit(2);
}
Promise.resolve(action()).catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
