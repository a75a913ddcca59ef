import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import pino from 'pino';
import { audit } from '../../src/kernel/audit';
import { createOrm, migrate } from '../../src/kernel/db/orm';
import { verifyAuditChain } from '../../src/kernel/audit-chain';

/**
 * The hash-chained audit log on a database of its own (migrated from empty), so tampering here
 * never touches the shared test database: concurrent inserts keep one chain, no insert path can
 * skip or forge the hash, and `npm run audit:verify` names the row a superuser changed.
 */

const dbName = `auditchain_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const urlOf = (database: string) => {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
};
const url = urlOf(dbName);
let orm: MikroORM;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: urlOf('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A connection of the database superuser (the test database's owner role is one). */
async function superuser<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const verify = () => superuser((c) => verifyAuditChain(c, 7)); // small batches: the paging is exercised too

/** `npm run audit:verify` as an operator runs it: the script, its output and exit code. */
function verifyScript(): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'scripts', 'audit-verify.ts')],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  await admin((c) => c.query(`create database "${dbName}"`));
  orm = await createOrm(url, pino({ level: 'silent' }));
  await migrate(orm);
});

afterAll(async () => {
  await orm?.close();
  await admin((c) => c.query(`drop database if exists "${dbName}" with (force)`));
});

const rows = () =>
  orm.em
    .fork()
    .execute<{ id: string; seq: string; prev_hash: string; hash: string; target_id: string; reason: string | null }[]>(
      `select id::text id, seq::text seq, prev_hash, hash, target_id, reason from audit_logs a order by a.seq`,
    );

describe('audit chain', () => {
  it('50 concurrent transactions (from 50 connections and through the ORM) keep one valid chain', async () => {
    // 50 separate connections, each a transaction inserting two rows with a pause between them,
    // all started together: the trigger serializes them on the chain head.
    const clients = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const c = new Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );
    try {
      await Promise.all(
        clients.map(async (c, i) => {
          await c.query('begin');
          await c.query(
            `insert into audit_logs (actor_type, actor_id, action, target_type, target_id, after, reason)
             values ('SYSTEM', 'test', 'test.concurrent', 'test', $1, $2, $3)`,
            [`conn-${i}`, JSON.stringify({ i, note: 'Zoë "quoted"\n' }), i % 3 ? null : `reason ${i}`],
          );
          await c.query(`select pg_sleep(${(i % 5) / 100})`);
          await c.query(
            `insert into audit_logs (actor_type, actor_id, action, target_type, target_id)
             values ('USER', $1, 'test.concurrent.second', 'test', $2)`,
            [randomUUID(), `conn-${i}`],
          );
          await c.query('commit');
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    // And the application's own path: audit() in the ORM's unit of work, 50 transactions at once.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        orm.em.fork().transactional(async (tx) => {
          audit(tx, {
            actor: { type: 'ADMIN', id: randomUUID() },
            action: 'test.orm',
            targetType: 'test',
            targetId: `orm-${i}`,
            before: { n: i },
            after: { n: i + 1, nested: { list: [1, 2, 3] } },
          });
        }),
      ),
    );

    const all = await rows();
    expect(all).toHaveLength(150);
    expect(all.map((r) => Number(r.seq))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(all[0]!.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < all.length; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash);
    // One chain: no two rows share a predecessor.
    expect(new Set(all.map((r) => r.prev_hash)).size).toBe(150);
    // Each connection's two rows are chained in its order.
    for (let i = 0; i < 50; i++) {
      const mine = all.filter((r) => r.target_id === `conn-${i}`);
      expect(Number(mine[0]!.seq)).toBeLessThan(Number(mine[1]!.seq));
    }
    expect(await verify()).toEqual({ ok: true, rows: 150 });
    const script = await verifyScript();
    expect([script.code, script.stdout.trim()]).toEqual([0, 'chain ok: 150 rows']);
  });

  it('no insert can skip or forge the hash, and the log stays append-only', async () => {
    const [forged] = await orm.em.fork().execute<{ id: string; seq: string; prev_hash: string; hash: string }[]>(
      `insert into audit_logs (actor_type, actor_id, action, target_type, target_id, seq, prev_hash, hash)
       values ('SYSTEM', 'x', 'test.forged', 'test', 'forged', 1, 'abc', 'def') returning id, seq::text seq, prev_hash, hash`,
    );
    expect(forged!.seq).toBe('151');
    expect(forged!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(forged!.prev_hash).toBe((await rows())[149]!.hash);
    for (const statement of [
      `update audit_logs set reason = 'edited' where id = ${forged!.id}`,
      `delete from audit_logs where id = ${forged!.id}`,
      `truncate audit_logs`,
      `delete from audit_chain_head`,
    ]) {
      await expect(orm.em.fork().execute(statement)).rejects.toThrow(/append-only/);
    }
    expect(await verify()).toEqual({ ok: true, rows: 151 });
  });

  it('a row changed by the superuser behind the triggers is named by audit:verify; so is a deleted one', async () => {
    const all = await rows();
    const victim = all[41]!; // seq 42
    // The superuser bypasses every trigger (append-only and chain) for this session.
    await superuser(async (c) => {
      await c.query(`set session_replication_role = replica`);
      await c.query(`update audit_logs set reason = 'nothing to see here' where id = $1`, [victim.id]);
    });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenId: victim.id,
      seq: '42',
      rows: 41,
      reason: expect.stringMatching(/content does not match its hash/),
    });
    const script = await verifyScript();
    expect(script.code).toBe(1);
    expect(script.stdout).toContain(`chain broken at audit_logs id=${victim.id} (seq 42)`);

    // Recomputing that row's hash too (a careful forger) breaks the link to the next row instead.
    await superuser(async (c) => {
      await c.query(`set session_replication_role = replica`);
      await c.query(`update audit_logs a set hash = audit_log_hash(a.prev_hash, a) where id = $1`, [victim.id]);
    });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenId: all[42]!.id,
      seq: '43',
      reason: expect.stringMatching(/prev_hash .* is not the previous row's hash/),
    });

    // Put it back as it was: the chain verifies again.
    await superuser(async (c) => {
      await c.query(`set session_replication_role = replica`);
      await c.query(`update audit_logs set reason = $2, hash = $3 where id = $1`, [
        victim.id,
        victim.reason,
        victim.hash,
      ]);
    });
    expect(await verify()).toEqual({ ok: true, rows: 151 });

    // A deleted row: the next one is named (a gap in seq).
    await superuser(async (c) => {
      await c.query(`set session_replication_role = replica`);
      await c.query(`delete from audit_logs where id = $1`, [all[99]!.id]);
    });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenId: all[100]!.id,
      seq: '101',
      reason: expect.stringMatching(/seq 101 follows seq 99: 1 row\(s\) missing/),
    });
    // Rows removed from the end: the chain head no longer matches the last row.
    await superuser(async (c) => {
      await c.query(`set session_replication_role = replica`);
      await c.query(`delete from audit_logs where seq >= 100`);
    });
    expect(await verify()).toMatchObject({
      ok: false,
      seq: '99',
      reason: expect.stringMatching(/chain head is at seq 151 but the last row is seq 99/),
    });
  });
});
