/** From the per-round figures of a comparison to its row: pure (unit-tested by hand). */
import type { ComparisonResult } from './report';
import { median, ratio } from './stats';
import type { Metrics } from './types';

export interface RoundPair {
  subject: Metrics;
  baseline: Metrics;
}

/** The median of each metric over the rounds (metrics a round lacks are left out of it). */
export function medianMetrics(rounds: readonly Metrics[]): Metrics {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(names.map((n) => [n, median(rounds.filter((r) => n in r).map((r) => r[n]!))]));
}

/**
 * The ratio is the median of the per-round ratios: subject and baseline of one round ran back to
 * back on the same machine state, so each round's ratio cancels what drifted between rounds.
 */
export function summarizeComparison(
  head: Pick<ComparisonResult, 'workload' | 'name' | 'subjectLabel' | 'baselineLabel' | 'ratioOf' | 'goal'>,
  rounds: readonly RoundPair[],
): ComparisonResult {
  const perRound = rounds.map((r) => ratio(r.subject[head.ratioOf] ?? NaN, r.baseline[head.ratioOf] ?? NaN));
  const value = median(perRound);
  return {
    ...head,
    subject: medianMetrics(rounds.map((r) => r.subject)),
    baseline: medianMetrics(rounds.map((r) => r.baseline)),
    ratio: value,
    pass: Number.isFinite(value) && value >= head.goal,
  };
}
