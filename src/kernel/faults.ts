/**
 * Crash and pause points for the fault-injection tests: `crashPoint('wallet.withdrawal.committed')`
 * kills the process with SIGKILL when that point was armed; `await pausePoint('binary.settle.locked')`
 * holds the caller there for a while (a window in which a test SIGSTOPs the process, as a long GC
 * pause or a frozen VM would). Only the composition root arms points, and only when NODE_ENV=test
 * (the config refuses FAULT_CRASH_POINTS and FAULT_PAUSE_POINTS elsewhere), so production code
 * paths carry a no-op check and nothing else.
 */
const armed = new Set<string>();
const pauses = new Map<string, number>();

export function armCrashPoints(points: readonly string[]): void {
  for (const p of points) armed.add(p);
}

export function armPausePoints(points: readonly string[], ms: number): void {
  for (const p of points) pauses.set(p, ms);
}

/**
 * Kills the process when `name` is armed, or `name@subject` (a trade id, a user id): a test that
 * shares its database with others arms the point for its own subject, so a leftover trade that
 * this worker's reconciliation resumes cannot fire it first (the worker then died before the
 * test's own trade opened, and the test waited for it until its timeout).
 */
export function crashPoint(name: string, subject = ''): void {
  if (armed.has(name) || (subject && armed.has(`${name}@${subject}`))) process.kill(process.pid, 'SIGKILL');
}

/**
 * Resolves at once unless armed. When armed, writes `FAULT pause <name> <ms>ms <subject>` on
 * stdout (the test's signal that the process is inside the window, for that subject, e.g. a
 * trade id) and resolves after the configured time, once per subject: the retried activity must
 * be able to go through, and another subject (a leftover trade the reconciliation resumed) must
 * not use up the pause the test waits for.
 */
const pausedSubjects = new Set<string>();

export async function pausePoint(name: string, subject = ''): Promise<void> {
  const ms = pauses.get(name);
  if (ms === undefined) return;
  const key = `${name} ${subject}`;
  if (pausedSubjects.has(key)) return;
  pausedSubjects.add(key);
  process.stdout.write(`FAULT pause ${name} ${ms}ms ${subject}\n`);
  await new Promise((r) => setTimeout(r, ms));
}
