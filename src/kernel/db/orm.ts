import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import { entities } from './entities';
import { migrationsList } from './migrations';

export function ormOptions(databaseUrl: string, logger?: Logger): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true },
    discovery: { warnWhenNoEntities: true },
    // Request-scoped forks are made explicitly (em.fork()); the global context is never used.
    allowGlobalContext: false,
    pool: { min: 0, max: 10 },
    debug: false,
    logger: logger ? (msg) => logger.debug({ orm: true }, msg) : undefined,
  };
}

export async function createOrm(databaseUrl: string, logger?: Logger): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, logger));
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
