import { loadavg } from 'node:os';

export interface QuietWait {
  /** The 1-minute load average when the wait ended (the round's recorded load). */
  load: number;
  /** The load did not drop to `maxLoad` within `maxWaitMs`. */
  busy: boolean;
}

/**
 * Waits until the 1-minute load average is at most `maxLoad`, checking every 5 s, for at most
 * `maxWaitMs`; then measures anyway and says so (a bench must not hang on a busy machine).
 */
export async function waitForQuiet(
  maxLoad: number,
  maxWaitMs: number,
  log: (message: string) => void,
  readLoad: () => number = () => loadavg()[0]!,
): Promise<QuietWait> {
  const deadline = Date.now() + maxWaitMs;
  let load = readLoad();
  let said = false;
  while (load > maxLoad) {
    if (Date.now() >= deadline) return { load, busy: true };
    if (!said) log(`waiting for load average <= ${maxLoad} (now ${load.toFixed(2)})`);
    said = true;
    await new Promise((r) => setTimeout(r, 5000));
    load = readLoad();
  }
  return { load, busy: false };
}
