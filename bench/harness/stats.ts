/** Pure figures of the bench: medians, percentiles, ratios and verdicts (unit-tested by hand). */

/** The middle value; the mean of the two middle values for an even count. NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** subject / baseline; NaN when the baseline is not a positive number. */
export function ratio(subject: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(subject) ? subject / baseline : NaN;
}

export type Goal = { below: number } | { atLeast: number };

/** Whether `value` meets `goal`; a NaN value never passes. */
export function meets(value: number, goal: Goal): boolean {
  if (!Number.isFinite(value)) return false;
  return 'below' in goal ? value < goal.below : value >= goal.atLeast;
}

export function goalText(goal: Goal, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  return 'below' in goal ? `< ${goal.below}${u}` : `>= ${goal.atLeast}${u}`;
}
