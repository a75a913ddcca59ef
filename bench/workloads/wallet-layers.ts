/**
 * Where GET /wallet's time goes: the bare node:http + pg baseline against Koa serving the same
 * read with the API's parts added one at a time (bench/baselines/koa-layers.ts): the router, the
 * JWT check, the API's read (`getWallet` through the read pool), every cross-cutting middleware;
 * then the whole standalone API. One row beside them reads through MikroORM's `em.execute`
 * instead, as GET /wallet did before the read pool, so the run shows what that choice costs. Each row's ratio against the bare server in the same round shows what
 * that part costs; the goal (0.5) is on every row.
 */
import { startAppProcess, stopAll, measurementMs } from '../harness/app-process';
import { startLayersServer } from '../harness/layers-server';
import { startBareServer } from '../harness/bare-server';
import { closedLoop } from '../harness/http-load';
import type { BenchEnv, Comparison, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';
import { apiSide, bareSide } from './wallet';

const STEPS: { name: string; layers: string }[] = [
  { name: 'Koa + @koa/router, the read through pg', layers: 'router' },
  { name: '+ JWT check (authenticate, jose HS256)', layers: 'router,jwt' },
  { name: "+ the API's read (getWallet, read pool)", layers: 'router,jwt,reads' },
  { name: 'the same, read through MikroORM (em.execute) instead', layers: 'router,jwt,orm' },
  {
    name: '+ every app middleware (request context, metrics, headers, errors, body)',
    layers: 'router,jwt,reads,context,metrics,headers,errors,body',
  },
];

const CONNECTIONS = 32;

/** The layered server takes the user from the token once `jwt` is on, from the query before. */
function layeredSide(label: string, url: string, users: BenchUser[], durationMs: number): Side {
  return {
    label,
    measure: () =>
      closedLoop({
        url,
        connections: CONNECTIONS,
        durationMs,
        request: (i) => {
          const user = users[i % users.length]!;
          return { method: 'GET', path: `/wallet?user=${user.id}`, headers: { authorization: `Bearer ${user.token}` } };
        },
      }),
  };
}

export const workload: Workload = {
  name: 'wallet-layers',
  title: 'GET /wallet: Koa with the API parts added one at a time, vs a bare node:http + pg server',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const users = await createBenchUsers(env.databaseUrl, 20);
      const bare = await startBareServer('wallet', env.databaseUrl);
      started.push(bare);
      const subjects: Side[] = [];
      for (const step of STEPS) {
        const server = await startLayersServer(env, 'wallet', step.layers);
        started.push(server);
        await layeredSide('', server.url, users, 1500).measure(); // warm-up: JIT, pools
        subjects.push(layeredSide(step.name, server.url, users, durationMs));
      }
      const api = await startAppProcess('api', env);
      started.push(api);
      await apiSide('', api.url, users, 1500).measure();
      subjects.push(apiSide('the standalone API (every router)', api.url, users, durationMs));
      await bareSide(bare.url, users, 1500).measure();
      const baseline = bareSide(bare.url, users, durationMs);
      const comparisons: Comparison[] = subjects.map((subject) => ({
        name: `GET /wallet: ${subject.label}`,
        subject,
        baseline,
        ratioOf: 'rps',
        goal: 0.5,
      }));
      return { comparisons, tearDown: () => stopAll(started) };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};
