/**
 * `npm run bench` runs every workload of bench/workloads/*.ts (each exports `workload: Workload`,
 * see bench/harness/types.ts); `npm run bench -- <name> [<name>...]` runs those only. The older
 * one-off comparisons (bench/<name>.bench.ts: realtime, temporal-sqlite) still run by
 * name with their own arguments: `npm run bench -- realtime --clients 300`.
 *
 * A run starts private services (database <DATABASE_URL's name>_bench_<pid>, a Redis db of its own, an
 * in-memory Temporal dev server), then per workload: prepare(), BENCH_ROUNDS rounds (default 3)
 * of every comparison, subject and baseline back to back (their order alternating per round), each
 * round after waiting for a 1-minute load average <= BENCH_MAX_LOAD (default 2.5; given up after
 * BENCH_MAX_WAIT_S, default 180, and the round is marked busy), medians, ratios against the goals.
 * Results: bench/results/<YYYY-MM-DD>.md and .json (a subset run: <date>-<names>.*).
 * BENCH_SIZE=full uses the issue's sizes (default ci: about a minute per workload).
 * Everything it started is stopped, on failure and on Ctrl-C too. Never part of the tests.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { clearAppLogs, stopAppProcesses } from './harness/app-process';
import { startBenchServices, type BenchServices } from './harness/environment';
import { waitForQuiet } from './harness/quiet';
import {
  renderMarkdown,
  type AbsoluteResult,
  type RoundRecord,
  type RunResult,
  type WorkloadResult,
} from './harness/report';
import { median, meets } from './harness/stats';
import { summarizeComparison, type RoundPair } from './harness/summary';
import type { BenchEnv, Metrics, Prepared, Workload } from './harness/types';

const projectDir = resolve(__dirname, '..');
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function legacyBenches(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
}

function loadWorkloads(): Workload[] {
  const dir = join(__dirname, 'workloads');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => {
      const mod = require(join(dir, f)) as { workload?: Workload };
      if (!mod.workload) throw new Error(`bench/workloads/${f} exports no \`workload\``);
      return mod.workload;
    });
}

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

async function runWorkload(
  w: Workload,
  env: BenchEnv,
  opts: { rounds: number; maxLoad: number; maxWaitMs: number },
  current: { prepared?: Prepared },
): Promise<WorkloadResult> {
  const result: WorkloadResult = {
    name: w.name,
    title: w.title,
    rounds: [],
    comparisons: [],
    absolutes: [],
    notes: {},
  };
  try {
    log(`${w.name}: prepare`);
    const prepared = await w.prepare(env);
    current.prepared = prepared;
    const pairs = prepared.comparisons.map(() => [] as RoundPair[]);
    const absolutes = (prepared.absolutes ?? []).map(() => [] as Metrics[]);
    for (let round = 1; round <= opts.rounds; round++) {
      const quiet = await waitForQuiet(opts.maxLoad, opts.maxWaitMs, log);
      const record: RoundRecord = { round, load: quiet.load, busy: quiet.busy };
      result.rounds.push(record);
      log(`${w.name}: round ${round}, load ${quiet.load.toFixed(2)}${quiet.busy ? ' (busy)' : ''}`);
      for (const [i, c] of prepared.comparisons.entries()) {
        // Alternate who goes first, so warm-up or drift inside a round favours neither side.
        const subjectFirst = round % 2 === 1;
        const first = subjectFirst ? c.subject : c.baseline;
        const second = subjectFirst ? c.baseline : c.subject;
        const a = await first.measure();
        const b = await second.measure();
        const pair = subjectFirst ? { subject: a, baseline: b } : { subject: b, baseline: a };
        pairs[i]!.push(pair);
        log(
          `  ${c.name}: ${c.ratioOf} ${pair.subject[c.ratioOf]?.toFixed(1)} vs ${pair.baseline[c.ratioOf]?.toFixed(1)}`,
        );
      }
      for (const [i, a] of (prepared.absolutes ?? []).entries()) {
        const m = await a.measure();
        absolutes[i]!.push(m);
        log(`  ${a.name}: ${a.metric} ${m[a.metric]?.toFixed(1)} ${a.unit}`);
      }
    }
    result.comparisons = prepared.comparisons.map((c, i) =>
      summarizeComparison(
        {
          workload: w.name,
          name: c.name,
          subjectLabel: c.subject.label,
          baselineLabel: c.baseline.label,
          ratioOf: c.ratioOf,
          goal: c.goal,
        },
        pairs[i]!,
      ),
    );
    result.absolutes = (prepared.absolutes ?? []).map((a, i): AbsoluteResult => {
      const value = median(absolutes[i]!.map((m) => m[a.metric] ?? NaN));
      return {
        workload: w.name,
        name: a.name,
        metric: a.metric,
        unit: a.unit,
        value,
        goal: a.goal,
        pass: meets(value, a.goal),
      };
    });
    if (prepared.notes) result.notes = await prepared.notes();
  } catch (err) {
    result.error = (err as Error).message.split('\n')[0]!.slice(0, 300);
    log(`${w.name} failed: ${(err as Error).stack ?? err}`);
  } finally {
    const prepared = current.prepared;
    current.prepared = undefined;
    await prepared?.tearDown().catch((err: Error) => log(`${w.name} tearDown: ${err.message}`));
    await stopAppProcesses();
  }
  return result;
}

async function main(names: string[]): Promise<number> {
  const all = loadWorkloads();
  const unknown = names.filter((n) => !all.some((w) => w.name === n));
  if (unknown.length) {
    log(
      `unknown workload(s) ${unknown.join(', ')}; available: ${all.map((w) => w.name).join(', ')}; ` +
        `one-off benches: ${legacyBenches().join(', ')}`,
    );
    return 2;
  }
  const chosen = names.length ? all.filter((w) => names.includes(w.name)) : all;
  const opts = {
    rounds: Math.max(3, Math.floor(num('BENCH_ROUNDS', 3))),
    maxLoad: num('BENCH_MAX_LOAD', 2.5),
    maxWaitMs: num('BENCH_MAX_WAIT_S', 180) * 1000,
  };
  const size = process.env.BENCH_SIZE === 'full' ? 'full' : 'ci';
  const startedAt = new Date().toISOString();
  let services: BenchServices | undefined;
  const current: { prepared?: Prepared } = {};
  const cleanUp = async () => {
    await current.prepared?.tearDown().catch(() => undefined);
    await stopAppProcesses();
    await services?.stop();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping everything this run started`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    clearAppLogs(projectDir);
    services = await startBenchServices(projectDir, log);
    const env: BenchEnv = {
      projectDir,
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      temporalAddress: services.temporalAddress,
      temporalPid: services.temporalPid,
      size,
      log,
    };
    const workloads: WorkloadResult[] = [];
    for (const w of chosen) workloads.push(await runWorkload(w, env, opts, current));
    const run: RunResult = {
      startedAt,
      finishedAt: new Date().toISOString(),
      size,
      roundsWanted: opts.rounds,
      maxLoad: opts.maxLoad,
      cpus: cpus().length,
      workloads,
    };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, startedAt.slice(0, 10) + (names.length ? `-${names.join('-')}` : ''));
    const markdown = renderMarkdown(run);
    writeFileSync(`${file}.md`, markdown);
    writeFileSync(`${file}.json`, JSON.stringify(run, null, 2) + '\n');
    process.stdout.write(markdown);
    log(`written ${file}.md and .json`);
    return workloads.some((w) => w.error) ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

const args = process.argv.slice(2);
if (args[0] && legacyBenches().includes(args[0])) {
  const bench = require(`./${args[0]}.bench`) as { main: (args: string[]) => Promise<void> };
  bench.main(args.slice(1)).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  main(args).then(
    (code) => process.exit(code),
    (err) => {
      log(`${(err as Error).stack ?? err}`);
      process.exit(1);
    },
  );
}
