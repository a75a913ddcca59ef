/**
 * Migrations on a database of their own, created empty for this file and dropped after it:
 * everything applies from nothing, a second run applies nothing and changes nothing, and the
 * list the migrator runs is exactly the files in src/kernel/db/migrations.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationObject } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import pino from 'pino';
import { createOrm, migrate, ormOptions } from '../../src/kernel/db/orm';
import { migrationsList } from '../../src/kernel/db/migrations';

// The migrator logs every step to the console unless it is given a logger.
const quiet = pino({ level: 'silent' });
const migrationsDir = join(__dirname, '..', '..', 'src', 'kernel', 'db', 'migrations');

/**
 * Migrations that have been released, in order. A database in the field has these names in its
 * mikro_orm_migrations table, so they may never be renamed, removed or reordered: a renamed one
 * looks new to the migrator and runs a second time on every existing database. Append a name
 * here when its migration ships.
 */
const RELEASED = [
  'Migration20261128000000_foundation',
  'Migration20261128100000_kyc',
  'Migration20261128200000_trading',
  'Migration20261128300000_aml',
  'Migration20261130000000_outbox',
  'Migration20261130100000_verified_birth_date',
  'Migration20261201100000_webhooks',
  'Migration20261201100100_audit_chain',
  'Migration20261201140000_aml_cases',
  'Migration20261202300000_ledger_entry_kind',
];

const dbName = `migrations_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const serverUrl = (database: string) => {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
};

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Everything the migrations create in the database, as comparable text. */
async function schemaDump(database: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: serverUrl(database) });
  await client.connect();
  const rows = async (sql: string) =>
    (await client.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => r.join(' | '));
  try {
    return {
      extensions: await rows(`select extname from pg_extension order by 1`),
      relations: await rows(
        `select c.relname, c.relkind from pg_class c where c.relnamespace = 'public'::regnamespace order by 1`,
      ),
      columns: await rows(
        `select table_name, ordinal_position, column_name, data_type, character_maximum_length, is_nullable,
                column_default
           from information_schema.columns where table_schema = 'public' order by 1, 2`,
      ),
      constraints: await rows(
        `select conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
      ),
      indexes: await rows(
        `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`,
      ),
      triggers: await rows(
        `select tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
           from pg_trigger where not tgisinternal order by 1, 2`,
      ),
      functions: await rows(
        `select proname, md5(pg_get_functiondef(oid)) from pg_proc where pronamespace = 'public'::regnamespace order by 1`,
      ),
      applied: await rows(`select name from mikro_orm_migrations order by id`),
    };
  } finally {
    await client.end();
  }
}

/** Migration files in the folder, by file name (the list's index.ts is not one). */
const migrationFiles = () =>
  readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();

beforeAll(async () => {
  await admin((c) => c.query(`create database "${dbName}"`));
});

afterAll(async () => {
  await admin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
});

describe('the migration list', () => {
  it('names every file in the folder once, in file-name order, each with the class its file exports', async () => {
    const files = migrationFiles();
    expect(files.length).toBeGreaterThanOrEqual(RELEASED.length);
    for (const f of files) expect(f).toMatch(/^Migration\d{14}_[a-z0-9_]+$/);
    expect(migrationsList.map((m) => m.name)).toEqual(files);
    for (const m of migrationsList) {
      const exported = (await import(join(migrationsDir, m.name))) as Record<string, unknown>;
      expect(Object.keys(exported)).toEqual([m.name]);
      expect(m.class).toBe(exported[m.name]);
    }
  });

  it('keeps every released migration under its released name and position; new ones come after', () => {
    const names = migrationsList.map((m) => m.name);
    expect(names.slice(0, RELEASED.length)).toEqual(RELEASED);
    const lastReleased = RELEASED.at(-1)!;
    for (const added of names.slice(RELEASED.length)) expect(added > lastReleased).toBe(true);
  });
});

describe('on an empty database', () => {
  it('applies every migration, then a second run applies nothing and leaves the schema as it was', async () => {
    const empty = await schemaDump(dbName).catch((err: Error) => err);
    // No migrations table yet: the database really is empty.
    expect(empty).toBeInstanceOf(Error);

    const orm = await createOrm(serverUrl(dbName), quiet);
    let first: string[];
    try {
      first = await migrate(orm);
    } finally {
      await orm.close();
    }
    expect(first).toEqual(migrationFiles());
    const afterFirst = await schemaDump(dbName);
    expect(afterFirst.applied).toEqual(migrationFiles());
    const tables = afterFirst.relations.filter((r) => r.endsWith(' | r')).map((r) => r.split(' | ')[0]);
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'wallets',
        'ledger_transactions',
        'ledger_entries',
        'audit_logs',
        'kyc',
        'webhook_events',
        'price_ticks',
        'binary_trades',
        'trades',
        'idempotency_records',
        'aml_checks',
        'mikro_orm_migrations',
      ]),
    );
    expect(afterFirst.triggers.join('\n')).toMatch(/ledger_entries_append_only/);
    expect(afterFirst.extensions).toContain('pgcrypto');

    // A second process starting against the migrated database.
    const again = await createOrm(serverUrl(dbName), quiet);
    try {
      expect(await migrate(again)).toEqual([]);
      expect(await migrate(again)).toEqual([]);
    } finally {
      await again.close();
    }
    expect(await schemaDump(dbName)).toEqual(afterFirst);
  });

  it('a renamed migration would run again on a migrated database and fail there, which the name check prevents', async () => {
    const last = migrationsList.at(-1)!;
    const renamed: MigrationObject[] = [
      ...migrationsList.slice(0, -1),
      { name: `${last.name}_renamed`, class: last.class },
    ];
    const before = await schemaDump(dbName);
    const orm = await MikroORM.init({
      ...ormOptions(serverUrl(dbName), quiet),
      migrations: { migrationsList: renamed, transactional: true, allOrNothing: true },
    });
    try {
      expect((await orm.getMigrator().getPendingMigrations()).map((m) => m.name)).toEqual([`${last.name}_renamed`]);
      await expect(orm.getMigrator().up()).rejects.toThrow(/already exists/);
    } finally {
      await orm.close();
    }
    // All or nothing: the failed run left the database as it was.
    expect(await schemaDump(dbName)).toEqual(before);
  });
});
