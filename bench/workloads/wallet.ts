/**
 * GET /wallet (JWT verification + one read) against a bare node:http server running the same
 * query through `pg` (pool of 10, as the API's): what the API adds around one database read.
 * 20 users, requests round-robin over them; standalone API and all-in-one process.
 */
import { startAppProcess, stopAll, measurementMs } from '../harness/app-process';
import { startBareServer } from '../harness/bare-server';
import { closedLoop } from '../harness/http-load';
import type { BenchEnv, Prepared, Side, Workload } from '../harness/types';
import { createBenchUsers, type BenchUser } from '../harness/users';

const CONNECTIONS = 32;

export function apiSide(label: string, url: string, users: BenchUser[], durationMs: number): Side {
  return {
    label,
    measure: () =>
      closedLoop({
        url,
        connections: CONNECTIONS,
        durationMs,
        request: (i) => ({
          method: 'GET',
          path: '/wallet',
          headers: { authorization: `Bearer ${users[i % users.length]!.token}` },
        }),
      }),
  };
}

export function bareSide(url: string, users: BenchUser[], durationMs: number): Side {
  return {
    label: 'bare node:http + pg',
    measure: () =>
      closedLoop({
        url,
        connections: CONNECTIONS,
        durationMs,
        request: (i) => ({ method: 'GET', path: `/wallet?user=${users[i % users.length]!.id}` }),
      }),
  };
}

export const workload: Workload = {
  name: 'wallet',
  title: 'GET /wallet vs a bare node:http server running the same query through pg',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const durationMs = measurementMs(env.size);
    const started: { stop(): Promise<void> }[] = [];
    try {
      const users = await createBenchUsers(env.databaseUrl, 20);
      const bare = await startBareServer('wallet', env.databaseUrl);
      started.push(bare);
      const api = await startAppProcess('api', env);
      started.push(api);
      const all = await startAppProcess('all', env);
      started.push(all);
      await bareSide(bare.url, users, 1500).measure();
      for (const url of [api.url, all.url]) await apiSide('', url, users, 1500).measure();
      const baseline = bareSide(bare.url, users, durationMs);
      return {
        comparisons: [
          {
            name: 'GET /wallet, standalone API',
            subject: apiSide('API', api.url, users, durationMs),
            baseline,
            ratioOf: 'rps',
            goal: 0.5,
          },
          {
            name: 'GET /wallet, all-in-one',
            subject: apiSide('npm start', all.url, users, durationMs),
            baseline,
            ratioOf: 'rps',
            goal: 0.5,
          },
        ],
        tearDown: () => stopAll(started),
      };
    } catch (err) {
      await stopAll(started);
      throw err;
    }
  },
};
