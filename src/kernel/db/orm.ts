import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import { entities } from './entities';
import { migrationsList } from './migrations';

interface PgConnection {
  query(sql: string, params: unknown[], callback: (err: Error | null) => void): void;
}

/**
 * `outboxChannel` names the deployment on every connection (`app.outbox_channel`): outbox rows
 * written through this ORM carry it, and its relay delivers only rows that do.
 */
export function ormOptions(databaseUrl: string, logger?: Logger, outboxChannel = '', poolMax = 10): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true },
    discovery: { warnWhenNoEntities: true },
    // Request-scoped forks are made explicitly (em.fork()); the global context is never used.
    allowGlobalContext: false,
    pool: {
      min: 0,
      max: poolMax,
      afterCreate: (conn: PgConnection, done: (err: Error | null, conn: PgConnection) => void) =>
        conn.query(`select set_config('app.outbox_channel', $1, false)`, [outboxChannel], (err) => done(err, conn)),
    },
    debug: false,
    logger: logger ? (msg) => logger.debug({ orm: true }, msg) : undefined,
  };
}

export async function createOrm(
  databaseUrl: string,
  logger?: Logger,
  outboxChannel?: string,
  poolMax?: number,
): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, logger, outboxChannel, poolMax));
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
