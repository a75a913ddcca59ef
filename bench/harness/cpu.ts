import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes from /proc (Linux): what a workload's work cost each process, to say
 * where the time goes when a ratio falls short (e.g. the Temporal server's CPU per trade).
 */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU of one process so far, in ms (0 once it is gone). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process whose command name is `name` (e.g. the PostgreSQL server and its backends). */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

export type CpuGroups = Record<string, () => number[]>;

/**
 * Starts a CPU reading of named groups of processes (`postgres: () => pidsNamed('postgres')`);
 * `perItem(n)` gives each group's CPU ms per item since the start, as metrics `cpuMs_<group>`.
 * `self` is this process (process.cpuUsage), the load generator and anything run in-process.
 */
export function cpuMeter(groups: CpuGroups) {
  const before = new Map<string, Map<number, number>>();
  for (const [name, pids] of Object.entries(groups)) before.set(name, new Map(pids().map((p) => [p, processCpuMs(p)])));
  const self = process.cpuUsage();
  return {
    perItem(n: number): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        const start = before.get(name)!;
        let ms = 0;
        // A process that exited meanwhile reads 0: its CPU is lost, never counted negative.
        for (const p of pids()) ms += Math.max(0, processCpuMs(p) - (start.get(p) ?? 0));
        out[`cpuMs_${name}`] = Math.round((ms / Math.max(1, n)) * 100) / 100;
      }
      const used = process.cpuUsage(self);
      out.cpuMs_self = Math.round(((used.user + used.system) / 1000 / Math.max(1, n)) * 100) / 100;
      return out;
    },
  };
}

/**
 * The PostgreSQL backends serving `database` (their process title names it): on a server other
 * databases share, pidsNamed('postgres') would also count their sessions' CPU.
 */
export function postgresBackendsOf(database: string): number[] {
  return pidsNamed('postgres').filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split(' ').includes(database);
    } catch {
      return false;
    }
  });
}
