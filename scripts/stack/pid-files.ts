/**
 * Pid files for the processes `npm run start:cluster` starts, so `npm run stack:stop` stops those
 * and nothing else: each file holds the pid and the process's start time (from /proc), and a pid
 * whose start time differs (reused by another process since) is left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined if gone. */
function startTime(pid: number): string | undefined {
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

/** Files are numbered in start order; stopping goes in reverse (APIs before the servers they use). */
export function writePidFile(dir: string, name: string, pid: number): void {
  mkdirSync(dir, { recursive: true });
  const order = String(readdirSync(dir).filter((f) => f.endsWith('.pid')).length + 1).padStart(2, '0');
  writeFileSync(join(dir, `${order}-${name}.pid`), `${pid} ${startTime(pid) ?? ''}\n`);
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
        ours: Number.isInteger(n) && n > 0 && startTime(n) !== undefined && startTime(n) === started,
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
      process.kill(r.pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (alive(r.pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      if (alive(r.pid)) process.kill(r.pid, 'SIGKILL');
      log(`stopped ${r.name} (pid ${r.pid})`);
    }
    rmSync(r.file, { force: true });
  }
}
