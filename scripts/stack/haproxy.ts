/**
 * HAProxy (Debian's package) in front of the cluster: the API instances over HTTP, and the
 * Temporal frontends over TCP (gRPC), so any one process of either kind may die and clients
 * reconnect through the same address.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';
import { isListening, waitFor } from './net';

export interface HaproxyOptions {
  /** Where clients reach the API and Socket.IO. */
  apiPort: number;
  apiBackends: { name: string; port: number }[];
  /** Where clients reach Temporal. */
  temporalPort: number;
  temporalBackends: { name: string; port: number }[];
}

/**
 * API: round robin, health checks on /ready (an instance that cannot reach PostgreSQL, Redis or
 * Temporal is taken out), and a cookie that pins a client to the instance that served it first:
 * Socket.IO's HTTP long-polling sends several requests per session, which must all reach the
 * instance holding that session (https://socket.io/docs/v4/using-multiple-nodes). WebSocket
 * upgrades pass through in HTTP mode; `timeout tunnel` keeps an upgraded socket open longer than
 * Socket.IO's ping interval. Temporal: TCP, because gRPC is HTTP/2 end to end and long polls last
 * about a minute.
 */
export function haproxyConfig(opts: HaproxyOptions): string {
  const lines = [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  timeout connect 2s',
    '  timeout client 75s',
    '  timeout server 75s',
    '  timeout tunnel 1h',
    '  retries 3',
    '  option redispatch',
    '',
    'frontend api',
    '  mode http',
    `  bind 127.0.0.1:${opts.apiPort}`,
    '  option forwardfor',
    '  default_backend api',
    '',
    'backend api',
    '  mode http',
    '  balance roundrobin',
    '  option httpchk GET /ready',
    '  http-check expect status 200',
    '  cookie SERVERID insert indirect nocache httponly',
    '  default-server check inter 1s fall 2 rise 2',
    ...opts.apiBackends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} cookie ${b.name}`),
    '',
    'frontend temporal',
    '  mode tcp',
    `  bind 127.0.0.1:${opts.temporalPort}`,
    '  timeout client 5m',
    '  default_backend temporal',
    '',
    'backend temporal',
    '  mode tcp',
    '  balance leastconn',
    '  timeout server 5m',
    '  default-server check inter 1s fall 2 rise 1',
    ...opts.temporalBackends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`),
    '',
  ];
  return lines.join('\n');
}

/** /usr/sbin/haproxy (Debian's package), or haproxy on PATH. */
export function findHaproxy(): string {
  for (const candidate of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('HAProxy is not installed: apt-get install -y haproxy');
  }
}

/**
 * Writes the configuration, checks it (`haproxy -c`), then starts HAProxy in the foreground,
 * detached; `onSpawn` gets its pid before the readiness wait.
 */
export async function startHaproxy(
  opts: HaproxyOptions,
  configFile: string,
  logFile: string,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<number> {
  const binary = findHaproxy();
  writeFileSync(configFile, haproxyConfig(opts));
  execFileSync(binary, ['-c', '-q', '-f', configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
  const log = openSync(logFile, 'a');
  // -db: no daemon mode, so the pid is HAProxy's own and stack:stop can stop it.
  const child = spawn(binary, ['-db', '-f', configFile], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  onSpawn(child.pid!);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  await waitFor(
    `HAProxy on 127.0.0.1:${opts.apiPort} (log: ${logFile})`,
    async () => {
      if (exited !== null) throw new Error(`HAProxy exited with ${exited}; see ${logFile}`);
      return isListening('127.0.0.1', opts.apiPort);
    },
    10_000,
  );
  return child.pid!;
}
