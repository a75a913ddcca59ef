/** Stops the dedicated Temporal dev server global-setup started (if it started one). */
export default async function globalTeardown(): Promise<void> {
  const pid = (globalThis as { __temporalPid?: number }).__temporalPid;
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
