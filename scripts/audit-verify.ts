/**
 * Walks the hash-chained audit log of DATABASE_URL (`npm run audit:verify`): prints
 * "chain ok: N rows" and exits 0, or names the first broken row and exits 1 (2 on an error).
 */
import { Client } from 'pg';
import { loadConfigOrExit } from '../src/kernel/config';
import { describeVerdict, verifyAuditChain } from '../src/kernel/audit-chain';

async function main() {
  const config = loadConfigOrExit();
  const client = new Client({ connectionString: config.DATABASE_URL });
  await client.connect();
  try {
    const verdict = await verifyAuditChain(client);
    process.stdout.write(`${describeVerdict(verdict)}\n`);
    process.exitCode = verdict.ok ? 0 : 1;
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`audit verification failed: ${(err as Error).message}\n`);
  process.exit(2);
});
