/**
 * Pid files for the processes `npm run start:cluster` starts, so `npm run stack:stop` stops those
 * and nothing else: each file holds the pid and the process's start time (from /proc), and a pid
 * whose start time differs (reused by another process since) is left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined if gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Files are numbered in start order; stopping goes in reverse (APIs before the servers they use).
 * Called right after spawn, before any readiness wait: a process that never becomes ready is
 * still stopped by `stack:stop`.
 */
export function writePidFile(dir: string, name: string, pid: number): void {
  mkdirSync(dir, { recursive: true });
  const order = String(readdirSync(dir).filter((f) => f.endsWith('.pid')).length + 1).padStart(2, '0');
  writeFileSync(join(dir, `${order}-${name}.pid`), `${pid} ${processStartTime(pid) ?? ''}\n`);
}

/** Still the process that was started: same pid and the start time recorded at spawn. */
export function isSameProcess(pid: number, started: string | undefined): boolean {
  return (
    Number.isInteger(pid) && pid > 0 && started !== undefined && started !== '' && processStartTime(pid) === started
  );
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export interface Recorded {
  name: string;
  pid: number;
  file: string;
  /** Still the process that was started (same pid and start time). */
  ours: boolean;
}

export function readPidFiles(dir: string): Recorded[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .sort()
    .map((f) => {
      const [pid, started] = readFileSync(join(dir, f), 'utf8').trim().split(' ');
      const n = Number(pid);
      return {
        name: f.replace(/^\d+-/, '').replace(/\.pid$/, ''),
        pid: n,
        file: join(dir, f),
        ours: isSameProcess(n, started),
      };
    });
}

/** SIGTERM each recorded process in reverse start order, SIGKILL after `graceMs`; removes the files. */
export async function stopPidFiles(
  dir: string,
  graceMs = 15_000,
  log: (line: string) => unknown = () => undefined,
): Promise<void> {
  for (const r of readPidFiles(dir).reverse()) {
    if (r.ours) {
      await stopProcess(r.pid, graceMs);
      log(`stopped ${r.name} (pid ${r.pid})`);
    }
    rmSync(r.file, { force: true });
  }
}
