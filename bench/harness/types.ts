/**
 * The contract between `npm run bench` (bench/run.ts, the harness) and the workloads in
 * bench/workloads/<name>.ts. A workload measures a subject (the project's code path) and a
 * baseline (the same work done the plainest way, e.g. a bare node:http server or raw BullMQ) in
 * the same run; the harness interleaves them (subject, baseline, subject, baseline, ...), waits
 * for a quiet machine before each round, takes medians, and reports subject / baseline.
 */

/** Named figures of one measurement, e.g. `{ rps: 8400, p50Ms: 3.1, p99Ms: 14 }`. */
export type Metrics = Record<string, number>;

/** One side of a comparison: measured once per round. */
export interface Side {
  /** What was measured, for the table: "GET /health (npm start)", "bare node:http". */
  label: string;
  measure(): Promise<Metrics>;
}

/** Subject against baseline on one metric where higher is better (a rate). */
export interface Comparison {
  /** Row name in the results table, e.g. "GET /health, all-in-one". */
  name: string;
  subject: Side;
  baseline: Side;
  /** The metric whose median ratio (subject / baseline) is compared with `goal`. */
  ratioOf: string;
  /** The goal for that ratio, e.g. 0.6. */
  goal: number;
}

/** A figure with an absolute goal (no baseline), e.g. AML check p99 at 1M rows < 10 ms. */
export interface AbsoluteCheck {
  name: string;
  /** Measured once per round; the harness takes the median of `metric`. */
  measure(): Promise<Metrics>;
  metric: string;
  /** `value < limit` when 'below', `value >= limit` when 'atLeast'. */
  goal: { below: number } | { atLeast: number };
  unit: string;
}

export interface BenchEnv {
  /** The project's root directory. */
  projectDir: string;
  /** A database the workload may create tables in and fill (the harness creates and migrates it). */
  databaseUrl: string;
  /** A Redis URL with a private db number. */
  redisUrl: string;
  /** A running Temporal dev server the harness started for this run (loopback). */
  temporalAddress: string;
  /** That dev server's process id (CPU accounting). */
  temporalPid: number;
  /** 'ci' keeps each workload to about a minute; 'full' uses the sizes. */
  size: 'ci' | 'full';
  log(message: string): void;
}

/** What a workload sets up once, measures over the rounds, then tears down. */
export interface Prepared {
  comparisons: Comparison[];
  absolutes?: AbsoluteCheck[];
  /** Figures measured once (e.g. memory with 10,000 waiting workflows), shown under the table. */
  notes?: () => Promise<Record<string, string | number>>;
  tearDown(): Promise<void>;
}

export interface Workload {
  /** `npm run bench -- <name>` runs only this one. */
  name: string;
  /** One line for the results table's heading. */
  title: string;
  prepare(env: BenchEnv): Promise<Prepared>;
}
