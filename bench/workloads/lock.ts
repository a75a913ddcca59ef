/**
 * Lock acquire + release: the project's DistributedLock (fencing token included) against the
 * plainest Redis lock, `SET NX PX` then an `EVAL` compare-and-delete, sequential and 50-way, and
 * the keys a run of locks leaves behind (goal 0).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DistributedLock } from '../../src/kernel/redis/distributed-lock';
import type { BenchEnv, Metrics, Prepared, Workload } from '../harness/types';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const TTL_MS = 5_000;

/** `ops` lock+release cycles spread over `parallel` loops, each on its own key: cycles per second. */
async function rate(parallel: number, ops: number, cycle: (key: string) => Promise<void>): Promise<Metrics> {
  const perLoop = Math.ceil(ops / parallel);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: parallel }, async (_, i) => {
      const key = `bench:${randomUUID()}:${i}`;
      for (let n = 0; n < perLoop; n++) await cycle(key);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { opsPerSec: Math.round((perLoop * parallel) / seconds) };
}

export const workload: Workload = {
  name: 'lock',
  title: 'lock acquire + release (DistributedLock vs raw SET NX PX + EVAL delete)',
  async prepare(env: BenchEnv): Promise<Prepared> {
    const redis = new Redis(env.redisUrl);
    const prefix = `bench-${randomUUID().slice(0, 8)}`;
    const lock = new DistributedLock(redis, `${prefix}:lock`);
    const ops = env.size === 'full' ? 20_000 : 5_000;
    const subject = async (key: string) => {
      const held = await lock.acquire(key, TTL_MS);
      if (!held) throw new Error(`lock ${key} not acquired`);
      await lock.release(key, held.value);
    };
    const baseline = async (key: string) => {
      const value = randomUUID();
      const k = `${prefix}:raw:${key}`;
      if ((await redis.set(k, value, 'PX', TTL_MS, 'NX')) !== 'OK') throw new Error(`raw lock ${k} not acquired`);
      await redis.eval(RELEASE, 1, k, value);
    };
    const side = (label: string, parallel: number, cycle: (key: string) => Promise<void>) => ({
      label,
      measure: () => rate(parallel, ops, cycle),
    });
    return {
      comparisons: [1, 50].map((parallel) => ({
        name: `lock acquire + release, ${parallel === 1 ? 'sequential' : `${parallel}-way`}`,
        subject: side('DistributedLock acquire + release', parallel, subject),
        baseline: side('SET NX PX + EVAL delete', parallel, baseline),
        ratioOf: 'opsPerSec',
        goal: 0.8,
      })),
      absolutes: [
        {
          name: `keys left behind after ${ops} locks on distinct keys`,
          metric: 'keysLeft',
          unit: 'keys',
          goal: { below: 1 },
          async measure() {
            const scope = `${prefix}:left-${randomUUID().slice(0, 8)}`;
            const counted = new DistributedLock(redis, scope);
            for (let i = 0; i < ops; i += 50) {
              await Promise.all(
                Array.from({ length: Math.min(50, ops - i) }, async (_, j) => {
                  const held = await counted.acquire(`k${i + j}`, TTL_MS);
                  if (held) await counted.release(`k${i + j}`, held.value);
                }),
              );
            }
            let keysLeft = 0;
            let cursor = '0';
            do {
              const [next, keys] = await redis.scan(cursor, 'MATCH', `${scope}:*`, 'COUNT', 1000);
              keysLeft += keys.length;
              cursor = next;
            } while (cursor !== '0');
            return { keysLeft };
          },
        },
      ],
      async tearDown() {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        await redis.quit();
      },
    };
  },
};
