/**
 * Runs once before all tests. Makes sure PostgreSQL, Redis and a Temporal dev server answer,
 * creates the test database (never the developer's) and migrates it, and hands the resolved
 * addresses to the test workers through the environment.
 *
 * Temporal: TEST_TEMPORAL_ADDRESS when it answers; otherwise a dedicated in-memory dev server
 * on a free port, stopped by global-teardown, so tests never touch a developer's workflows.
 */
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Client } from 'pg';
import { freePort } from '../scripts/stack/net';
import { ensurePostgres, ensureRedis } from '../scripts/stack/services';
import { findTemporalBinary, installTemporal, startDevServer, temporalHealthy } from '../scripts/stack/temporal';
import { createOrm, migrate } from '../src/kernel/db/orm';

const projectDir = resolve(__dirname, '..');

export default async function globalSetup(): Promise<void> {
  const dataDir = join(projectDir, '.data', 'test');
  mkdirSync(dataDir, { recursive: true });

  const pg = await ensurePostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/compliance', dataDir);
  const testDbUrl = new URL(pg.url);
  const dbName = `${testDbUrl.pathname.replace(/^\//, '') || 'compliance'}_test`;
  testDbUrl.pathname = `/${dbName}`;
  await createDatabaseIfMissing(pg.url, dbName);
  const orm = await createOrm(testDbUrl.toString());
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }

  // Redis db 15 (TEST_REDIS_DB to run two checkouts' suites side by side) and the `test` key
  // prefix: a developer's data in db 0 is never touched.
  const redisUrl = new URL((await ensureRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', dataDir)).url);
  redisUrl.pathname = `/${process.env.TEST_REDIS_DB ?? '15'}`;

  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress || !(await temporalHealthy(temporalAddress))) {
    const binary = findTemporalBinary(projectDir) ?? installTemporal(projectDir);
    const port = await freePort();
    const pid = await startDevServer({ binary, port, logFile: join(dataDir, 'temporal.log') });
    (globalThis as { __temporalPid?: number }).__temporalPid = pid;
    temporalAddress = `127.0.0.1:${port}`;
  }

  Object.assign(process.env, {
    TEST_DATABASE_URL: testDbUrl.toString(),
    TEST_REDIS_URL: redisUrl.toString(),
    TEST_TEMPORAL_ADDRESS: temporalAddress,
  });
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database "${name.replace(/"/g, '')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}
