/**
 * Why the local dev server runs SQLite with `journal_mode=wal` and `synchronous=normal`:
 * workflow starts per second against a file-backed dev server, plain vs tuned, in one run.
 * Loopback only; bounded (N starts per server); stops what it starts.
 *
 *   npm run bench -- temporal-sqlite [N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort, waitFor } from '../scripts/stack/net';
import { findTemporalBinary, startDevServer, temporalHealthy } from '../scripts/stack/temporal';

async function startsPerSecond(binary: string, tuned: boolean, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-temporal-'));
  const port = await freePort();
  let pid: number;
  if (tuned) {
    pid = await startDevServer({ binary, port, dbFile: join(dir, 'db.sqlite'), logFile: join(dir, 'log') });
  } else {
    // Same flags as startDevServer, minus the pragmas.
    const log = openSync(join(dir, 'log'), 'a');
    const child = spawn(
      binary,
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--headless',
        '--db-filename',
        join(dir, 'db.sqlite'),
        '--log-level',
        'warn',
        '--dynamic-config-value',
        'frontend.enableServerVersionCheck=false',
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    pid = child.pid!;
    await waitFor('plain dev server', () => temporalHealthy(`127.0.0.1:${port}`), 60_000);
  }
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  try {
    const client = new Client({ connection });
    const started = process.hrtime.bigint();
    const concurrency = 20;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          await client.workflow.start('benchNoop', { taskQueue: 'bench-nobody', workflowId: `bench-${i}` });
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return n / seconds;
  } finally {
    await connection.close();
    process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 300);
  const binary = findTemporalBinary(resolve(__dirname, '..'));
  if (!binary) throw new Error('temporal CLI not found: run npx tsx scripts/ensure-temporal.ts');
  const plain = await startsPerSecond(binary, false, n);
  const tuned = await startsPerSecond(binary, true, n);
  console.log(`workflow starts/s, ${n} starts, 20 concurrent clients, file-backed SQLite`);
  console.log(`  plain (baseline): ${plain.toFixed(1)}/s`);
  console.log(`  wal + synchronous=normal: ${tuned.toFixed(1)}/s  (ratio ${(tuned / plain).toFixed(2)}x)`);
}
