import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, hostPort, isListening, waitFor } from './net';

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface Ensured {
  url: string;
  /** Set when this project started the server (and so may stop it). */
  pid?: number;
}

/** PostgreSQL at `url` if it answers; otherwise a private cluster under dataDir on a free port. */
export async function ensurePostgres(url: string, dataDir: string): Promise<Ensured> {
  const u = new URL(url);
  if (await isListening(u.hostname, Number(u.port) || 5432)) return { url };
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  if (!initdb || !pgCtl) {
    throw new Error(
      `PostgreSQL does not answer at ${u.host} and no server binaries (initdb, pg_ctl) are installed. ` +
        'Install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL to a running server.',
    );
  }
  const dir = join(dataDir, 'postgres');
  const port = await freePort();
  // PostgreSQL refuses to run as root: run it as the postgres user when we are root.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (bin: string, args: string[]) =>
    execFileSync(asUser[0] ?? bin, asUser.length ? [...asUser.slice(1), bin, ...args] : args, { stdio: 'ignore' });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    if (asUser.length)
      chownSync(
        dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
    run(initdb, ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  }
  run(pgCtl, [
    '-D',
    dir,
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
    '-w',
  ]);
  const pid = Number(
    execFileSync('head', ['-1', join(dir, 'postmaster.pid')])
      .toString()
      .trim(),
  );
  u.hostname = '127.0.0.1';
  u.port = String(port);
  u.username = 'postgres';
  return { url: u.toString(), pid };
}

/**
 * Redis at `url` if it answers; otherwise a private, non-persistent redis-server on a free port
 * (`onSpawn` gets its pid before the readiness wait).
 */
export async function ensureRedis(
  url: string,
  dataDir: string,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<Ensured> {
  const { host, port } = hostPort(new URL(url).host, 6379);
  if (await isListening(host, port)) return { url };
  const server = which('redis-server');
  if (!server) {
    throw new Error(
      `Redis does not answer at ${host}:${port} and redis-server is not installed. ` +
        'Install Redis (e.g. apt-get install redis-server) or set REDIS_URL to a running server.',
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const privatePort = await freePort();
  const log = openSync(join(dir, 'redis.log'), 'a');
  const child = spawn(
    server,
    ['--bind', '127.0.0.1', '--port', String(privatePort), '--dir', dir, '--save', '', '--appendonly', 'no'],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  onSpawn(child.pid!);
  await waitFor(`redis-server on ${privatePort}`, () => isListening('127.0.0.1', privatePort), 10_000);
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(privatePort);
  return { url: u.toString(), pid: child.pid };
}
