import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

/**
 * Verification of the hash-chained audit log (migration Migration20261201100100_audit_chain).
 * The database computes each row's hash in a trigger; this recomputes the whole chain on its
 * own, in Node, from the rows' fields as PostgreSQL prints them, so a row changed behind the
 * triggers' back (a superuser with `session_replication_role = replica`, a restored backup, a
 * direct edit of the files) is named.
 */

/** `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit row as the chain sees it: every field as PostgreSQL's text output, NULL as null. */
export interface ChainRow {
  id: string;
  seq: string;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  before: string | null;
  after: string | null;
  reason: string | null;
  /** created_at in UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  created_at: string;
  prev_hash: string;
  hash: string;
}

const field = (v: string | null): string => (v === null ? '~' : `${Buffer.byteLength(v, 'utf8')}:${v}`);

/** The canonical content of a row: `audit-v1`, then each field as `~` (NULL) or `<octet length>:<text>`. */
export function canonicalAuditContent(r: Omit<ChainRow, 'prev_hash' | 'hash'>): string {
  return (
    'audit-v1' +
    [
      r.seq,
      r.id,
      r.actor_type,
      r.actor_id,
      r.action,
      r.target_type,
      r.target_id,
      r.before,
      r.after,
      r.reason,
      r.created_at,
    ]
      .map(field)
      .join('')
  );
}

/** hex(SHA-256(prev_hash || canonical content)), as the trigger computes it. */
export const auditRowHash = (prevHash: string, row: Omit<ChainRow, 'prev_hash' | 'hash'>): string =>
  createHash('sha256')
    .update(prevHash + canonicalAuditContent(row), 'utf8')
    .digest('hex');

export type ChainVerdict =
  | { ok: true; rows: number }
  | {
      ok: false;
      /** Rows verified before the broken link. */
      rows: number;
      /** The audit_logs id of the first row that does not verify (for rows missing at the end: the last row). */
      brokenId: string | null;
      seq: string | null;
      reason: string;
    };

const SELECT = `
  select a.id::text id, a.seq::text seq, actor_type, actor_id, action, target_type, target_id,
         before::text before, after::text after, reason,
         to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') created_at,
         prev_hash, hash
    from audit_logs a where a.seq > $1 order by a.seq limit $2`;

/**
 * Walks the chain in `seq` order in one REPEATABLE READ snapshot (rows and head agree even while
 * inserts go on) and returns the first broken link: a gap in `seq` (rows deleted), a `prev_hash`
 * that is not the previous row's hash, a hash that does not match the row's content, or a chain
 * head that does not point at the last row (rows removed from the end).
 */
export async function verifyAuditChain(client: ClientBase, batchSize = 5000): Promise<ChainVerdict> {
  await client.query('begin isolation level repeatable read read only');
  try {
    let prevHash = GENESIS_HASH;
    let prevSeq = 0n;
    let lastId: string | null = null;
    let rows = 0;
    for (;;) {
      const { rows: batch } = await client.query<ChainRow>(SELECT, [prevSeq.toString(), batchSize]);
      for (const row of batch) {
        const broken = (reason: string): ChainVerdict => ({ ok: false, rows, brokenId: row.id, seq: row.seq, reason });
        const seq = BigInt(row.seq);
        if (seq !== prevSeq + 1n) {
          return broken(`seq ${row.seq} follows seq ${prevSeq}: ${seq - prevSeq - 1n} row(s) missing before it`);
        }
        if (row.prev_hash !== prevHash) {
          return broken(`prev_hash ${row.prev_hash} is not the previous row's hash ${prevHash}`);
        }
        const expected = auditRowHash(prevHash, row);
        if (row.hash !== expected) {
          return broken(`content does not match its hash (stored ${row.hash}, recomputed ${expected})`);
        }
        prevHash = row.hash;
        prevSeq = seq;
        lastId = row.id;
        rows += 1;
      }
      if (batch.length < batchSize) break;
    }
    const { rows: heads } = await client.query<{ last_seq: string; last_hash: string }>(
      `select last_seq::text last_seq, last_hash from audit_chain_head where id = 1`,
    );
    const head = heads[0];
    if (!head)
      return { ok: false, rows, brokenId: lastId, seq: prevSeq.toString(), reason: 'the chain head is missing' };
    if (BigInt(head.last_seq) !== prevSeq || head.last_hash !== prevHash) {
      return {
        ok: false,
        rows,
        brokenId: lastId,
        seq: prevSeq.toString(),
        reason: `the chain head is at seq ${head.last_seq} but the last row is seq ${prevSeq}: rows missing at the end`,
      };
    }
    return { ok: true, rows };
  } finally {
    await client.query('rollback');
  }
}

/** The line `npm run audit:verify` prints. */
export const describeVerdict = (v: ChainVerdict): string =>
  v.ok
    ? `chain ok: ${v.rows} rows`
    : `chain broken at audit_logs id=${v.brokenId ?? '-'} (seq ${v.seq ?? '-'}): ${v.reason} (${v.rows} rows verified before it)`;
