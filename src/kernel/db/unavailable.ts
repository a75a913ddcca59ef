/**
 * Errors that mean "the database connection went away", not "the request was wrong" or "our code
 * is broken": a backend terminated by an operator or a failover (SQLSTATE class 57, 57P01
 * admin_shutdown), a connection exception (class 08), a socket closed under the client, or no
 * connection to be had from the pool in time (knex's or the read pool's), or knex's "Transaction query already complete" (the
 * statement after one whose connection died: knex had already ended that transaction). The HTTP edge answers these with 503: the request
 * may be retried (with its Idempotency-Key for a money movement), and the pool replaces the dead
 * connections on its own.
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3])/;
const UNAVAILABLE_MESSAGE =
  /Connection terminated|terminating connection due to administrator command|Client has encountered a connection error|Connection ended unexpectedly|ECONNRESET|ECONNREFUSED|Timeout acquiring a connection|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Transaction query already complete/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const { code, sqlState, message, name } = e as {
      code?: unknown;
      sqlState?: unknown;
      message?: unknown;
      name?: unknown;
    };
    if (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATE.test(sqlState)) return true;
    if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (name === 'ConnectionException' || name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    e = (e as { cause?: unknown; previous?: unknown }).previous ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
