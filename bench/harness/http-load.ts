/**
 * A small keep-alive HTTP/1.1 load generator on raw sockets: each connection sends one prebuilt
 * request, reads the answer (status line, Content-Length or chunked body), records the latency and
 * sends the next. Chosen over node:http's client (whose per-request parsing and objects cost about
 * as much CPU as a bare server does, so on 2 cores the client would cap the baseline) and over an
 * extra dependency: on this 2-core machine the generator must stay the cheapest process of the run.
 */
import { connect, type Socket } from 'node:net';
import { percentile } from './stats';
import type { Metrics } from './types';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Either one body for every request or one per request (e.g. a fresh idempotency key). */
  body?: string;
}

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** Called per request when requests differ (e.g. per-user tokens); else `request` is reused. */
  request: HttpRequestSpec | ((i: number) => HttpRequestSpec);
  /** Status counted as success (others are counted as errors). */
  okStatus?: number;
}

function encode(spec: HttpRequestSpec, host: string): Buffer {
  const body = spec.body ?? '';
  const headers: Record<string, string> = { host, connection: 'keep-alive', ...spec.headers };
  if (spec.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.from(`${spec.method} ${spec.path} HTTP/1.1\r\n${head}\r\n${body}`);
}

/** Parses one response off the front of `buf`: its status and length, or null when incomplete. */
export function parseResponse(buf: Buffer): { status: number; length: number } | null {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const status = Number(head.slice(9, 12));
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) {
    const length = headEnd + 4 + Number(cl[1]);
    return buf.length >= length ? { status, length } : null;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', headEnd);
    return end < 0 ? null : { status, length: end + 7 };
  }
  return { status, length: headEnd + 4 };
}

/** Requests per second and latency percentiles of `connections` keep-alive clients for `durationMs`. */
export async function closedLoop(opts: ClosedLoopOptions): Promise<Metrics> {
  const url = new URL(opts.url);
  const host = url.host;
  const fixed = typeof opts.request === 'function' ? undefined : encode(opts.request, host);
  const next = (i: number) => fixed ?? encode((opts.request as (i: number) => HttpRequestSpec)(i), host);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let issued = 0;
  let stopping = false;
  const started = performance.now();
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: opts.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(Number(url.port), url.hostname);
          sockets.push(socket);
          socket.setNoDelay(true);
          let buf = Buffer.alloc(0);
          let sentAt = 0;
          const send = () => {
            if (stopping) {
              socket.end();
              return resolve();
            }
            sentAt = performance.now();
            socket.write(next(issued++));
          };
          socket.once('connect', send);
          socket.on('data', (chunk) => {
            buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
            const res = parseResponse(buf);
            if (!res) return;
            buf = buf.subarray(res.length);
            latencies.push(performance.now() - sentAt);
            if (res.status === (opts.okStatus ?? 200)) ok++;
            else errors++;
            send();
          });
          socket.on('error', reject);
          socket.on('close', () => resolve());
        }),
    ).concat([
      new Promise<void>((r) =>
        setTimeout(() => {
          stopping = true;
          r();
        }, opts.durationMs),
      ),
    ]),
  ).finally(() => sockets.forEach((s) => s.destroy()));
  const seconds = (performance.now() - started) / 1000;
  return {
    rps: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}
