/** Applies pending migrations to DATABASE_URL (`npm run migrate`). Start-up does the same. */
import { loadConfigOrExit } from '../src/kernel/config';
import { createOrm, migrate } from '../src/kernel/db/orm';

async function main() {
  const config = loadConfigOrExit();
  const orm = await createOrm(config.DATABASE_URL);
  try {
    const applied = await migrate(orm);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});
