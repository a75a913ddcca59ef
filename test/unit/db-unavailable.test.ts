import { isDatabaseUnavailable } from '../../src/kernel/db/unavailable';

/** Errors shaped as node-postgres and MikroORM raise them (code, sqlState, previous). */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each<[string, unknown]>([
    [
      'a backend terminated by pg_terminate_backend (57P01)',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    [
      'the server shutting down (57P02)',
      pgError('57P02', 'terminating connection due to crash of another server process'),
    ],
    ['a connection exception (08006)', pgError('08006', 'connection failure')],
    ['the socket closed under the client', new Error('Connection terminated unexpectedly')],
    [
      'MikroORM wrapping it (previous)',
      Object.assign(new Error('wrapped'), { name: 'DriverException', previous: pgError('57P01', 'x') }),
    ],
    [
      'the pool with no connection in time',
      Object.assign(new Error('Timeout acquiring a connection. The pool is probably full.'), {
        name: 'KnexTimeoutError',
      }),
    ],
  ])('%s: yes', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it("knex's next statement on a transaction whose connection died: yes", () => {
    const err = Object.assign(new Error('Transaction query already complete, run with DEBUG=knex:tx for more info'), {
      name: 'DriverException',
    });
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a unique violation (23505)', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a deadlock (40P01), retried by the money transaction instead', pgError('40P01', 'deadlock detected')],
    ['a check violation (23514)', pgError('23514', 'new row violates check constraint')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('%s: no', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
