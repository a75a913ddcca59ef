/**
 * Cross-venue arbitrage rules, pure. Spreads are in basis points of the buy price.
 *
 * Opportunity: buy at venue A's ask, sell at venue B's bid. gross = (bidB - askA) / askA * 10_000.
 * It is reported only when the gross spread beats both venues' fees: gross > feeA + feeB, i.e.
 * the net spread (gross - feeA - feeB) is positive.
 *
 * Anomaly model (per symbol): x = the best gross cross-venue spread of a scan (max over ordered
 * venue pairs; negative when no pair is crossed). A running mean and variance of x are kept with
 * Welford's online algorithm. The score of a new x is its z-score against the statistics
 * *before* x is added: (x - mean) / sample standard deviation, 0 until two samples exist, and
 * capped at +-MAX_ANOMALY_SCORE (also when the deviation is 0 and x differs from the mean).
 */

export interface VenueQuote {
  venue: string;
  feeBps: number;
  bid: number;
  ask: number;
  at: Date;
}

export interface Opportunity {
  symbol: string;
  buyVenue: string;
  sellVenue: string;
  /** Ask at the buy venue. */
  buyPrice: number;
  /** Bid at the sell venue. */
  sellPrice: number;
  grossSpreadBps: number;
  feesBps: number;
  netSpreadBps: number;
}

export const MAX_ANOMALY_SCORE = 10;

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** A quote we can reason about: positive finite prices, bid not above ask, a fee >= 0. */
export function isUsableQuote(q: VenueQuote): boolean {
  return (
    Number.isFinite(q.bid) &&
    Number.isFinite(q.ask) &&
    Number.isFinite(q.feeBps) &&
    q.bid > 0 &&
    q.ask > 0 &&
    q.bid <= q.ask &&
    q.feeBps >= 0
  );
}

const grossBps = (buy: VenueQuote, sell: VenueQuote) => ((sell.bid - buy.ask) / buy.ask) * 10_000;

/** Every ordered pair of distinct venues whose spread beats both fees, best first. */
export function findOpportunities(symbol: string, quotes: VenueQuote[]): Opportunity[] {
  const usable = quotes.filter(isUsableQuote);
  const found: Opportunity[] = [];
  for (const buy of usable) {
    for (const sell of usable) {
      if (buy.venue === sell.venue) continue;
      const gross = grossBps(buy, sell);
      const fees = buy.feeBps + sell.feeBps;
      if (gross > fees) {
        found.push({
          symbol,
          buyVenue: buy.venue,
          sellVenue: sell.venue,
          buyPrice: buy.ask,
          sellPrice: sell.bid,
          grossSpreadBps: round4(gross),
          feesBps: fees,
          netSpreadBps: round4(gross - fees),
        });
      }
    }
  }
  return found.sort((a, b) => b.netSpreadBps - a.netSpreadBps);
}

/** The statistic the anomaly model tracks: the best gross spread over ordered venue pairs. */
export function bestCrossSpreadBps(quotes: VenueQuote[]): number | null {
  const usable = quotes.filter(isUsableQuote);
  let best: number | null = null;
  for (const buy of usable)
    for (const sell of usable) {
      if (buy.venue === sell.venue) continue;
      const g = grossBps(buy, sell);
      if (best === null || g > best) best = g;
    }
  return best === null ? null : round4(best);
}

export interface RunningStats {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export const EMPTY_STATS: RunningStats = { n: 0, mean: 0, m2: 0 };

/** Welford's update. (The Redis Lua script in services/arbitrage-stats.ts does the same.) */
export function welfordUpdate(s: RunningStats, x: number): RunningStats {
  const n = s.n + 1;
  const delta = x - s.mean;
  const mean = s.mean + delta / n;
  return { n, mean, m2: s.m2 + delta * (x - mean) };
}

export const sampleStdDev = (s: RunningStats): number => (s.n < 2 ? 0 : Math.sqrt(s.m2 / (s.n - 1)));

/** z-score of x against the statistics before x, capped; 0 until there are two samples. */
export function anomalyScore(before: RunningStats, x: number): number {
  if (before.n < 2) return 0;
  const sd = sampleStdDev(before);
  const diff = x - before.mean;
  if (sd < 1e-9) return Math.abs(diff) < 1e-9 ? 0 : Math.sign(diff) * MAX_ANOMALY_SCORE;
  return round4(Math.max(-MAX_ANOMALY_SCORE, Math.min(MAX_ANOMALY_SCORE, diff / sd)));
}
