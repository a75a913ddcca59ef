/** Load shapes for async operations (workflow starts, API calls through fetch). */
import { percentile } from './stats';
import type { Metrics } from './types';

/** `concurrency` loops calling `op(i)` for `durationMs`: completed per second and latencies. */
export async function concurrently(
  concurrency: number,
  durationMs: number,
  op: (i: number) => Promise<unknown>,
): Promise<Metrics> {
  const latencies: number[] = [];
  let i = 0;
  let errors = 0;
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await op(i++);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}

/** Open loop: `op(i)` started `rate` times a second for `durationMs` whatever the answers take. */
export async function atRate(rate: number, durationMs: number, op: (i: number) => Promise<unknown>): Promise<Metrics> {
  const latencies: number[] = [];
  let errors = 0;
  const count = Math.max(1, Math.round((rate * durationMs) / 1000));
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(
      op(i).then(
        () => void latencies.push(performance.now() - t),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { rate, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors };
}
