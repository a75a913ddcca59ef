/**
 * `npm run start:cluster`: three API instances (3000, 3001, 3002) and one worker as separate
 * processes against the same stack, for local multi-instance checks and the load test.
 *
 * 1. `scripts/stack.ts up` (PostgreSQL, Redis, Temporal dev server; starts private ones when
 *    none answer) and its .data/stack.env; variables already in the environment win.
 * 2. Migrations once (`scripts/migrate.ts`), so three instances never race to migrate.
 * 3. The APIs with RUN_MIGRATIONS=false and INSTANCE_ID=api-<port>, and the worker.
 *
 * Output lines are prefixed with the process name. A process that dies is reported and the
 * others keep running (kill one instance to watch its clients move). Ctrl-C or SIGTERM stops
 * every process gracefully (SIGTERM, SIGKILL after 15 s). `CLUSTER_PORTS=4000,4001` changes the
 * ports; `CLUSTER_WORKER=false` leaves the worker out. The stack keeps running
 * (`npm run stack:stop` stops what `stack:up` started).
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureLocalSecrets, readStackEnv } from './stack/env-file';

const root = resolve(__dirname, '..');
const ports = (process.env.CLUSTER_PORTS ?? '3000,3001,3002').split(',').map((p) => Number(p.trim()));
const withWorker = process.env.CLUSTER_WORKER !== 'false';

const readStackEnvHere = () => readStackEnv(join(root, '.data'));

/** Node with tsx's loader: signals reach the program itself (the tsx CLI would add a parent). */
const run = (script: string, env: NodeJS.ProcessEnv) =>
  spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const children = new Map<string, ChildProcess>();
let stopping = false;

function supervise(name: string, child: ChildProcess): void {
  children.set(name, child);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.once('exit', (code, signal) => {
    children.delete(name);
    process.stdout.write(
      `[cluster] ${name} exited (${code ?? signal})${stopping ? '' : ', the others keep running'}\n`,
    );
    if (stopping && children.size === 0) process.exit(0);
  });
}

function stopAll(signal: string): void {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`[cluster] ${signal}: stopping ${[...children.keys()].join(', ')}\n`);
  if (children.size === 0) process.exit(0);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
}

function main(): void {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const up = spawnSync(tsx, [join(root, 'scripts/stack.ts'), 'up'], { cwd: root, stdio: 'inherit' });
  if (up.status !== 0) process.exit(up.status ?? 1);
  const env: NodeJS.ProcessEnv = {
    ...ensureLocalSecrets(join(root, '.data')),
    ...readStackEnvHere(),
    // One random simulated market shared by every process of this cluster.
    MARKET_SEED: randomBytes(16).toString('hex'),
    ...process.env,
  };

  const migrated = spawnSync(tsx, [join(root, 'scripts/migrate.ts')], { cwd: root, env, stdio: 'inherit' });
  if (migrated.status !== 0) process.exit(migrated.status ?? 1);

  process.once('SIGINT', () => stopAll('SIGINT'));
  process.once('SIGTERM', () => stopAll('SIGTERM'));

  for (const port of ports) {
    const name = `api-${port}`;
    supervise(name, run('src/main/api.ts', { ...env, PORT: String(port), INSTANCE_ID: name, RUN_MIGRATIONS: 'false' }));
  }
  if (withWorker) {
    supervise('worker', run('src/main/worker.ts', { ...env, INSTANCE_ID: 'worker', RUN_MIGRATIONS: 'false' }));
  }
  process.stdout.write(
    `[cluster] API on ${ports.map((p) => `http://127.0.0.1:${p}`).join(', ')}${withWorker ? ' + worker' : ''}; Ctrl-C stops all\n`,
  );
}

main();
