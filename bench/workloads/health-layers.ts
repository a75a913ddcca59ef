/**
 * Where GET /health's time goes: the same bare node:http baseline against Koa with the API's
 * middleware added one layer at a time (bench/baselines/koa-layers.ts, run through tsx like the
 * API), then the whole standalone API. Each row's ratio against the bare server, in the same
 * round, shows what that layer costs; the goal (0.6) is written on every row so the table
 * shows how far each step leaves it.
 */
import { startAppProcess, stopAll, measurementMs } from '../harness/app-process';
import { startLayersServer } from '../harness/layers-server';
import { startBareServer } from '../harness/bare-server';
import type { BenchEnv, Comparison, Prepared, Workload } from '../harness/types';
import { healthSide } from './health';

const STEPS: { name: string; layers: string }[] = [
  { name: 'Koa, one middleware answering', layers: '' },
  { name: 'Koa + @koa/router (the health router)', layers: 'router' },
  { name: '+ request context (id, async scope, access log line)', layers: 'router,context' },
  { name: '+ HTTP metrics (prom-client histogram and counter)', layers: 'router,context,metrics' },
  {
    name: '+ security headers, error handler, body reader (every app middleware)',
    layers: 'router,context,metrics,headers,errors,body',
  },
];

export const workload: Workload = {
  name: 'health-layers',
  title: 'GET /health: Koa with the API middleware added one at a time, vs a bare node:http server',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const bare = await startBareServer('json');
      started.push(bare);
      const subjects: { name: string; url: string }[] = [];
      for (const step of STEPS) {
        const server = await startLayersServer(env, 'health', step.layers);
        started.push(server);
        subjects.push({ name: step.name, url: server.url });
      }
      const api = await startAppProcess('api', env);
      started.push(api);
      subjects.push({ name: 'the standalone API (every router)', url: api.url });
      for (const url of [bare.url, ...subjects.map((s) => s.url)]) await healthSide('', url, 1500).measure();
      const baseline = healthSide('bare node:http', bare.url, durationMs);
      const comparisons: Comparison[] = subjects.map((s) => ({
        name: `GET /health: ${s.name}`,
        subject: healthSide(s.name, s.url, durationMs),
        baseline,
        ratioOf: 'rps',
        goal: 0.6,
      }));
      return { comparisons, tearDown: () => stopAll(started) };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};
