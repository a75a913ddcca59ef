/**
 * Binary options as a bench load: open one through the API, and wait until a set of them has
 * settled (settlement lag = settled_at - expires_at, from the database).
 */
import { randomUUID } from 'node:crypto';
import type { Client as PgClient } from 'pg';
import type { BenchUser } from './users';

async function post(url: string, path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export async function deposit(url: string, user: BenchUser, amount: string): Promise<void> {
  const res = await post(url, '/wallet/deposit', user.token, { amount });
  if (res.status !== 201) throw new Error(`deposit: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Opens a 1 s option of 1.00 on BTCUSD; resolves with its id. */
export async function openOption(url: string, user: BenchUser): Promise<string> {
  const res = await post(url, '/binary/open', user.token, {
    symbol: 'BTCUSD',
    direction: 'UP',
    stake: '1.00',
    expiry: 1,
  });
  if (res.status !== 201) throw new Error(`POST /binary/open: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Waits (at most 2 min) until none of `ids` is OPEN; lags in ms and the last settlement instant. */
export async function waitSettled(db: PgClient, ids: string[]): Promise<{ lags: number[]; lastSettledMs: number }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int n from binary_trades where id = any($1::uuid[]) and status = 'OPEN'`,
      [ids],
    );
    if (rows[0]!.n === 0) break;
    if (Date.now() > deadline) throw new Error(`${rows[0]!.n} of ${ids.length} options still open after 2 min`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rows } = await db.query<{ lag: string; settled: string }>(
    `select extract(epoch from settled_at - expires_at) * 1000 lag, extract(epoch from settled_at) * 1000 settled
     from binary_trades where id = any($1::uuid[])`,
    [ids],
  );
  return { lags: rows.map((r) => Number(r.lag)), lastSettledMs: Math.max(...rows.map((r) => Number(r.settled))) };
}
