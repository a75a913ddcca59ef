/**
 * Crash points for the fault-injection tests: `crashPoint('wallet.withdrawal.committed')` kills
 * the process with SIGKILL when that point was armed. Only the composition root arms points, and
 * only when NODE_ENV=test (the config refuses FAULT_CRASH_POINTS elsewhere), so production code
 * paths carry a no-op check and nothing else.
 */
const armed = new Set<string>();

export function armCrashPoints(points: readonly string[]): void {
  for (const p of points) armed.add(p);
}

export function crashPoint(name: string): void {
  if (armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
