/**
 * DEV DRIVER, not the harness: runs one workload from bench/workloads/ with a BenchEnv built from
 * environment variables (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_TEMPORAL_ADDRESS, BENCH_SIZE,
 * BENCH_ROUNDS), subject and baseline interleaved, and prints medians. `npm run bench` (bench/run.ts)
 * replaces it. Usage: npx ts-node bench/harness/run-one.ts <name>
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import type { Metrics, Workload } from './types';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = (ms: Metrics[]) =>
  Object.fromEntries(Object.keys(ms[0] ?? {}).map((k) => [k, median(ms.map((m) => m[k]!))]));

async function main(name: string) {
  const { workload } = require(`../workloads/${name}`) as { workload: Workload };
  const prepared = await workload.prepare({
    projectDir: join(__dirname, '..', '..'),
    databaseUrl: process.env.BENCH_DATABASE_URL!,
    redisUrl: process.env.BENCH_REDIS_URL!,
    temporalAddress: process.env.BENCH_TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    size: process.env.BENCH_SIZE === 'full' ? 'full' : 'ci',
    log: (m) => console.log(`  [${name}] ${m}`),
  });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  try {
    for (const c of prepared.comparisons) {
      const s: Metrics[] = [];
      const b: Metrics[] = [];
      for (let i = 0; i < rounds; i++) {
        const load = loadavg()[0]!.toFixed(2);
        s.push(await c.subject.measure());
        b.push(await c.baseline.measure());
        console.log(`  round ${i + 1} load ${load}: subject ${JSON.stringify(s[i])} baseline ${JSON.stringify(b[i])}`);
      }
      const ms = medians(s);
      const mb = medians(b);
      const ratio = ms[c.ratioOf]! / mb[c.ratioOf]!;
      console.log(
        `${c.name}: ${c.subject.label} ${JSON.stringify(ms)} | ${c.baseline.label} ${JSON.stringify(mb)} | ratio ${ratio.toFixed(2)} (goal ${c.goal})`,
      );
    }
    for (const a of prepared.absolutes ?? []) {
      const xs: Metrics[] = [];
      for (let i = 0; i < rounds; i++) xs.push(await a.measure());
      const m = medians(xs);
      console.log(
        `${a.name}: ${JSON.stringify(m)} -> ${a.metric} ${m[a.metric]} ${a.unit} (goal ${JSON.stringify(a.goal)}) load ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
      );
    }
    if (prepared.notes) console.log('notes', JSON.stringify(await prepared.notes()));
  } finally {
    await prepared.tearDown();
  }
}

main(process.argv[2]!).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
