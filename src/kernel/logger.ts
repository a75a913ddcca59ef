import pino, { type Logger } from 'pino';

export type { Logger };

/** Lines are buffered up to this many bytes before a write... */
export const LOG_BUFFER_BYTES = 4096;
/** ...or at most this long, so a quiet process's lines still show up at once to a reader. */
export const LOG_FLUSH_MS = 200;

/**
 * JSON lines to stdout, written asynchronously and in batches, as pino documents for
 * production. A blocking write(2) per line on the request's path stalls every request behind a
 * slow pipe or terminal; an asynchronous write per line cost 13 us of CPU per line against 6.5 us
 * for the same lines batched to 4 KB (`.data/exp`-style scratch measurement on this machine, one
 * line per event-loop turn as under HTTP load; the access log writes one line per request).
 *
 * The price of the batching: a process killed with SIGKILL (or by the OOM killer) loses the lines
 * of its last LOG_FLUSH_MS. Any exit Node sees (process.exit, a crash on an uncaught error, the
 * shutdown after SIGTERM) writes what is buffered first: pino flushes synchronously on exit.
 */
export function createLogger(level: string, name: string): Logger {
  return pino(
    { level, name, base: { pid: process.pid, name } },
    pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS }),
  );
}
