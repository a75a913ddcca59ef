import { Client } from 'pg';
import { createLogger } from '../../src/kernel/logger';
import { createReadPool, type ReadPool } from '../../src/kernel/db/read-pool';
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

/**
 * A pool of one connection and an admin connection beside it; `terminate()` ends the pool's
 * backend (the one it read with first) and returns its pid, for the test to check the next read
 * comes from another.
 */
async function withTerminablePool(test: (reads: ReadPool, terminate: () => Promise<number>) => Promise<void>) {
  const reads = createReadPool(databaseUrl, 1, logger);
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const [{ pid }] = await reads.rows<{ pid: number }>('select pg_backend_pid() as pid', []);
    await test(reads, async () => {
      await admin.query('select pg_terminate_backend($1)', [pid]);
      return pid;
    });
  } finally {
    await admin.end();
    await reads.close();
  }
}

const backendPid = async (reads: ReadPool) =>
  (await reads.rows<{ pid: number }>('select pg_backend_pid() as pid', []))[0]!.pid;

it('a backend terminated under it: the read fails as unavailable, the next read gets a new connection', async () => {
  await withTerminablePool(async (reads, terminate) => {
    const slow = reads.rows('select pg_sleep(5)', []);
    const pid = await terminate();
    const err = await slow.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(await backendPid(reads)).not.toBe(pid);
  });
});

it('an idle pooled connection terminated: logged and replaced, the process goes on', async () => {
  await withTerminablePool(async (reads, terminate) => {
    const pid = await terminate();
    // The idle client sees its socket close; without the pool's error listener this is an
    // uncaught 'error' event, which fails the test run.
    await new Promise((r) => setTimeout(r, 200));
    expect(await backendPid(reads)).not.toBe(pid);
  });
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
