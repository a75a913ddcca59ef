/**
 * Bench users written straight into the database (registering through the API would spend most
 * of a minute on password hashing): an ACTIVE user and an empty wallet each, and their tokens
 * signed with the bench processes' JWT secret.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TokenService } from '../../src/features/auth/tokens';
import { BENCH_JWT_SECRET } from './app-process';

export interface BenchUser {
  id: string;
  token: string;
}

export async function createBenchUsers(databaseUrl: string, n: number): Promise<BenchUser[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      await client.query(
        `insert into users (id, email, password_hash, full_name, country)
         select id, id::text || '@bench.invalid', 'x', 'Bench User', 'DE' from unnest($1::uuid[]) id`,
        [batch],
      );
      await client.query(
        `insert into wallets (user_id, currency, balance, locked, version)
         select id, 'USD', 0, false, 1 from unnest($1::uuid[]) id`,
        [batch],
      );
    }
  } finally {
    await client.end();
  }
  const tokens = new TokenService(BENCH_JWT_SECRET, 24 * 3600);
  return Promise.all(ids.map(async (id) => ({ id, token: await tokens.issue({ userId: id, role: 'USER' }) })));
}
