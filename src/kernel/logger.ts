import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines to stdout, written asynchronously: pino's default destination writes every line
 * with a blocking write(2) on the request's path (a profile of GET /health under load, bench/,
 * had the access log's write at 5% of the API's CPU, and a slow pipe or terminal stalls every
 * request). Lines written while a write is in flight are batched into the next; pino flushes
 * what is left synchronously when the process exits.
 */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { pid: process.pid, name } }, pino.destination({ dest: 1, sync: false }));
}
