import { spawnSync } from 'node:child_process';

/**
 * `promtool check metrics` (Prometheus's own linter for the text exposition format, Debian
 * package `prometheus`) on an exposition: its exit code and what it printed.
 */
export function promtoolCheckMetrics(exposition: string): { code: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool could not run (apt-get install prometheus): ${r.error.message}`);
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
