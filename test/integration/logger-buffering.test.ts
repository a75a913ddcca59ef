/**
 * The process logger batches its writes (src/kernel/logger.ts). What an operator reading the
 * stream needs from it: a lone line shows up within the flush interval, not when 4 KB have piled
 * up; every line logged before an exit Node sees (process.exit, a crash) is written.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LOG_FLUSH_MS } from '../../src/kernel/logger';

const logger = join(__dirname, '../../src/kernel/logger.ts');

/** Runs `body` in a child (with `log`, the project's logger on stdout); resolves with the lines and when each came. */
function child(body: string): Promise<{ lines: { msg: string; afterMs: number }[]; code: number | null }> {
  const script = `const { createLogger } = require(${JSON.stringify(logger)}); const log = createLogger('info', 'test'); ${body}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const started = Date.now();
  const lines: { msg: string; afterMs: number }[] = [];
  let rest = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop()!;
    for (const p of parts) lines.push({ msg: JSON.parse(p).msg, afterMs: Date.now() - started });
  });
  return new Promise((resolve) => proc.on('close', (code) => resolve({ lines, code })));
}

it('a lone line is written within the flush interval while the process keeps running', async () => {
  // Logs once the module is loaded, then lives on for 3 s: the line must not wait for the exit.
  const { lines } = await child(`
    const t0 = Date.now(); log.info('lone');
    setTimeout(() => { log.info('at exit ' + (Date.now() - t0)); }, 3000);`);
  expect(lines.map((l) => l.msg)[0]).toBe('lone');
  const exitLine = lines[1]!;
  const loggedAt = exitLine.afterMs - Number(exitLine.msg.split(' ')[2]);
  // When the lone line arrived, counted from when it was logged (same child, 3 s apart).
  expect(lines[0]!.afterMs - loggedAt).toBeLessThan(LOG_FLUSH_MS + 1000);
  expect(lines[0]!.afterMs).toBeLessThan(exitLine.afterMs - 1500);
}, 30_000);

it('lines logged just before process.exit are all written', async () => {
  const { lines, code } = await child(`for (let i = 0; i < 50; i++) log.info('line ' + i); process.exit(3);`);
  expect(code).toBe(3);
  expect(lines.map((l) => l.msg)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
}, 30_000);

it('a line logged just before a crash on an uncaught error is written', async () => {
  const { lines, code } = await child(`log.error('about to fail'); setImmediate(() => { throw new Error('boom'); });`);
  expect(code).not.toBe(0);
  expect(lines.map((l) => l.msg)).toEqual(['about to fail']);
}, 30_000);
