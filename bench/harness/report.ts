/** The results table of one bench run, as markdown: pure (unit-tested by hand). */
import type { Goal } from './stats';
import { goalText } from './stats';
import type { Metrics } from './types';

export interface RoundRecord {
  round: number;
  /** The 1-minute load average when the round started. */
  load: number;
  /** The machine did not get quiet within the wait: measured anyway, flagged. */
  busy: boolean;
}

export interface ComparisonResult {
  workload: string;
  name: string;
  subjectLabel: string;
  baselineLabel: string;
  ratioOf: string;
  /** Medians over the rounds of every metric each side reported. */
  subject: Metrics;
  baseline: Metrics;
  ratio: number;
  goal: number;
  pass: boolean;
}

export interface AbsoluteResult {
  workload: string;
  name: string;
  metric: string;
  unit: string;
  value: number;
  goal: Goal;
  pass: boolean;
}

export interface WorkloadResult {
  name: string;
  title: string;
  rounds: RoundRecord[];
  comparisons: ComparisonResult[];
  absolutes: AbsoluteResult[];
  notes: Record<string, string | number>;
  /** Set when the workload failed; its rows are then missing. */
  error?: string;
}

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  size: 'ci' | 'full';
  roundsWanted: number;
  maxLoad: number;
  cpus: number;
  workloads: WorkloadResult[];
}

/** 8412 -> "8.4k", 138.2 -> "138", 2.35 -> "2.35": enough digits to compare, no more. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `{ rps: 8412, p99Ms: 14.2 }` -> "rps 8.4k, p99Ms 14.2". */
export function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${formatNumber(v)}`)
    .join(', ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The table of the issue: workload, measured, baseline same run, ratio, goal, pass. */
export function renderTable(run: RunResult): string {
  const lines = ['| workload | measured | baseline, same run | ratio | goal | pass |', '|---|---|---|---|---|---|'];
  for (const w of run.workloads) {
    if (w.error) lines.push(`| ${cell(w.name)} | failed: ${cell(w.error)} | | | | no |`);
    for (const c of w.comparisons) {
      lines.push(
        `| ${cell(c.name)} | ${cell(c.subjectLabel)}: ${formatMetrics(c.subject)} | ${cell(c.baselineLabel)}: ` +
          `${formatMetrics(c.baseline)} | ${formatNumber(c.ratio)} (${c.ratioOf}) | >= ${c.goal} | ${c.pass ? 'yes' : 'no'} |`,
      );
    }
    for (const a of w.absolutes) {
      lines.push(
        `| ${cell(a.name)} | ${a.metric} ${formatNumber(a.value)} ${a.unit} | - | - | ` +
          `${goalText(a.goal, a.unit)} | ${a.pass ? 'yes' : 'no'} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Load averages per round, "busy" where the wait for a quiet machine gave up. */
export function renderRounds(run: RunResult): string {
  return run.workloads
    .map(
      (w) =>
        `- ${w.name}: ` +
        w.rounds.map((r) => `round ${r.round} load ${r.load.toFixed(2)}${r.busy ? ' (busy)' : ''}`).join(', '),
    )
    .join('\n');
}

/** The whole results file: heading, table, rounds, notes. */
export function renderMarkdown(run: RunResult): string {
  const notes = run.workloads
    .filter((w) => Object.keys(w.notes).length > 0)
    .map(
      (w) =>
        `- ${w.name}: ` +
        Object.entries(w.notes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    );
  return [
    `# Bench ${run.startedAt.slice(0, 10)}`,
    '',
    `Started ${run.startedAt}, finished ${run.finishedAt}; size ${run.size}; ${run.roundsWanted} interleaved rounds ` +
      `(subject, baseline) per comparison, medians; ${run.cpus} cores; a round waits for a 1-minute load average ` +
      `<= ${run.maxLoad} and is marked busy when it did not come.`,
    '',
    renderTable(run),
    '',
    '## Load average at the start of each round',
    '',
    renderRounds(run),
    ...(notes.length ? ['', '## Notes', '', ...notes] : []),
    '',
  ].join('\n');
}
