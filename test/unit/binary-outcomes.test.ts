import { BINARY_STATUSES, DIRECTIONS, decideOutcome, payoutFor } from '../../src/features/binary/rules';
import { BINARY_OUTCOME_CASES } from '../helpers/binary-outcome-cases';

describe('binary outcome and payout against the hand-computed table', () => {
  it.each(BINARY_OUTCOME_CASES)(
    '$direction $openPrice -> $closePrice, stake $stake at $payoutRateBps bps: $status pays $payout',
    (c) => {
      const status = decideOutcome(c.direction, c.openPrice, c.closePrice);
      expect(status).toBe(c.status);
      expect(payoutFor(status, c.stake, c.payoutRateBps)).toBe(c.payout);
    },
  );

  it('the table covers every outcome in both directions', () => {
    const seen = new Set(BINARY_OUTCOME_CASES.map((c) => `${c.direction} ${c.status}`));
    expect([...seen].sort()).toEqual(['DOWN LOST', 'DOWN TIE', 'DOWN WON', 'UP LOST', 'UP TIE', 'UP WON']);
  });
});

describe('what the binary API accepts', () => {
  it('a trade goes UP or DOWN; a listed trade is OPEN, WON, LOST, TIE or SETTLEMENT_FAILED', () => {
    // The request schema (`direction`) and the list filter (`status`) are built from these lists.
    expect(DIRECTIONS).toEqual(['UP', 'DOWN']);
    expect(BINARY_STATUSES).toEqual(['OPEN', 'WON', 'LOST', 'TIE', 'SETTLEMENT_FAILED']);
  });
});
