import type { Minor } from '../../kernel/money';

/** Binary options: pure rules shared by the API, the settlement activity and tests. */
export const DIRECTIONS = ['UP', 'DOWN'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const BINARY_STATUSES = ['OPEN', 'WON', 'LOST', 'TIE', 'SETTLEMENT_FAILED'] as const;
export type BinaryStatus = (typeof BINARY_STATUSES)[number];
export type BinaryOutcome = 'WON' | 'LOST' | 'TIE';

export function decideOutcome(direction: Direction, openPrice: Minor, closePrice: Minor): BinaryOutcome {
  if (closePrice === openPrice) return 'TIE';
  const up = closePrice > openPrice;
  return (direction === 'UP') === up ? 'WON' : 'LOST';
}

/** What goes back to the wallet: stake x (1 + rate) when won (rounded down), the stake on a tie. */
export function payoutFor(outcome: BinaryOutcome, stake: Minor, payoutRateBps: number): Minor {
  if (outcome === 'WON') return stake + Math.floor((stake * payoutRateBps) / 10_000);
  if (outcome === 'TIE') return stake;
  return 0;
}
