import { Client } from 'pg';
import { createLogger } from '../../src/kernel/logger';
import { createReadPool } from '../../src/kernel/db/read-pool';
import { isDatabaseUnavailable } from '../../src/kernel/db/unavailable';

/**
 * The read pool on the real PostgreSQL: its rows, and its failures classified as the HTTP edge
 * needs them (503, retryable), from the errors node-postgres really raises.
 */
const databaseUrl = process.env.TEST_DATABASE_URL!;
const logger = createLogger('silent', 'test');

it('answers a parameterised read with its rows', async () => {
  const reads = createReadPool(databaseUrl, 2, logger);
  try {
    const rows = await reads.rows<{ n: number; s: string }>('select $1::int + 1 as n, $2::text as s', [41, 'x']);
    expect(rows).toEqual([{ n: 42, s: 'x' }]);
  } finally {
    await reads.close();
  }
});

it('a backend terminated under it: the read fails as unavailable, the next read gets a new connection', async () => {
  const reads = createReadPool(databaseUrl, 1, logger);
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const [{ pid }] = await reads.rows<{ pid: number }>('select pg_backend_pid() as pid', []);
    const slow = reads.rows('select pg_sleep(5)', []);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const err = await slow.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(err)).toBe(true);
    const [{ other }] = await reads.rows<{ other: number }>('select pg_backend_pid() as other', []);
    expect(other).not.toBe(pid);
  } finally {
    await admin.end();
    await reads.close();
  }
});

it('an idle pooled connection terminated: logged and replaced, the process goes on', async () => {
  const reads = createReadPool(databaseUrl, 1, logger);
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const [{ pid }] = await reads.rows<{ pid: number }>('select pg_backend_pid() as pid', []);
    await admin.query('select pg_terminate_backend($1)', [pid]);
    // The idle client sees its socket close; without the pool's error listener this is an
    // uncaught 'error' event, which fails the test run.
    await new Promise((r) => setTimeout(r, 200));
    const [{ other }] = await reads.rows<{ other: number }>('select pg_backend_pid() as other', []);
    expect(other).not.toBe(pid);
  } finally {
    await admin.end();
    await reads.close();
  }
});

it('no server to connect to: unavailable, not a hang', async () => {
  const url = new URL(databaseUrl);
  url.port = '1'; // nothing listens on port 1
  const reads = createReadPool(url.toString(), 1, logger);
  try {
    const err = await reads.rows('select 1', []).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(err)).toBe(true);
  } finally {
    await reads.close();
  }
});
