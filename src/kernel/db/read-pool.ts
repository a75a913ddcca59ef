import { Pool } from 'pg';
import type { Logger } from '../logger';

/** One parameterised read, answered with its rows. */
export interface ReadDb {
  rows<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

export interface ReadPool extends ReadDb {
  close(): Promise<void>;
}

/**
 * Plain `pg` for the hot read endpoints (GET /wallet), beside MikroORM's pool. A raw read through
 * the ORM (`em.execute`) still passes MikroORM's connection layer, knex and tarn, and needs the
 * request's EntityManager fork: the `wallet-layers` bench measured that at 0.22 of the bare
 * server's rate, as much as the whole HTTP stack. A read that hydrates no entity and writes
 * nothing gains nothing from them. Writes stay on the ORM, in transactions: nothing here writes.
 *
 * Failures look like the ORM's (the same `pg` errors: SQLSTATE 57P01 for a terminated backend),
 * so the HTTP edge answers them 503 alike (kernel/db/unavailable.ts). A pooled connection that
 * dies while idle is logged and replaced; without the listener pg's pool would crash the process.
 */
export function createReadPool(databaseUrl: string, max: number, logger: Logger): ReadPool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max,
    // Waiting forever for a connection (pg's default) would hang requests when PostgreSQL is down.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'read-pool',
  });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'read pool: idle connection lost'));
  return {
    async rows<T>(sql: string, params: readonly unknown[]) {
      return (await pool.query(sql, params as unknown[])).rows as T[];
    },
    close: () => pool.end(),
  };
}
