/**
 * GET /health against a bare node:http JSON server: what the API's middleware stack costs per
 * request when the handler does nothing. Measured on the standalone API (src/main/api.ts) and on
 * the all-in-one process (src/main/all.ts, `npm start`), each against the same bare server.
 */
import { startAppProcess, stopAll, type AppProcess, measurementMs } from '../harness/app-process';
import { startBareServer } from '../harness/bare-server';
import { closedLoop } from '../harness/http-load';
import type { BenchEnv, Comparison, Prepared, Side, Workload } from '../harness/types';

const CONNECTIONS = 32;

export function healthSide(label: string, url: string, durationMs: number): Side {
  return {
    label,
    measure: () =>
      closedLoop({ url, connections: CONNECTIONS, durationMs, request: { method: 'GET', path: '/health' } }),
  };
}

export const workload: Workload = {
  name: 'health',
  title: 'GET /health vs a bare node:http JSON server',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const bare = await startBareServer('json');
      started.push(bare);
      const api: AppProcess = await startAppProcess('api', env);
      started.push(api);
      const all: AppProcess = await startAppProcess('all', env);
      started.push(all);
      // Warm-up: JIT and connection pools, not measured.
      for (const url of [bare.url, api.url, all.url]) await healthSide('', url, 1500).measure();
      const baseline = healthSide('bare node:http', bare.url, durationMs);
      const comparisons: Comparison[] = [
        {
          name: 'GET /health, standalone API',
          subject: healthSide('API', api.url, durationMs),
          baseline,
          ratioOf: 'rps',
          goal: 0.6,
        },
        {
          name: 'GET /health, all-in-one',
          subject: healthSide('npm start', all.url, durationMs),
          baseline,
          ratioOf: 'rps',
          goal: 0.6,
        },
      ];
      return { comparisons, tearDown: () => stopAll(started) };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};
