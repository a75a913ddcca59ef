/**
 * Binary option outcomes worked out by hand, independent of the code under test. Prices, stakes
 * and payouts are minor units (cents). The rules as the product states them: UP wins when the
 * close is above the open, DOWN when it is below, an equal close is a TIE; a win pays back the
 * stake plus stake x rate rounded down to the cent, a TIE refunds the stake, a loss pays nothing.
 */
export interface BinaryOutcomeCase {
  direction: 'UP' | 'DOWN';
  openPrice: number;
  closePrice: number;
  stake: number;
  payoutRateBps: number;
  status: 'WON' | 'LOST' | 'TIE';
  payout: number;
}

// prettier-ignore
export const BINARY_OUTCOME_CASES: BinaryOutcomeCase[] = [
  // direction  open        close       stake    rate     status   payout    how
  { direction: 'UP',   openPrice: 4_300_000, closePrice: 4_300_010, stake: 1_000,  payoutRateBps: 8_500,  status: 'WON',  payout: 1_850 },  // 1000 + 850
  { direction: 'UP',   openPrice: 4_300_000, closePrice: 4_299_990, stake: 1_000,  payoutRateBps: 8_500,  status: 'LOST', payout: 0 },
  { direction: 'DOWN', openPrice: 4_300_000, closePrice: 4_299_990, stake: 1_000,  payoutRateBps: 8_500,  status: 'WON',  payout: 1_850 },  // 1000 + 850
  { direction: 'DOWN', openPrice: 4_300_000, closePrice: 4_300_010, stake: 1_000,  payoutRateBps: 8_500,  status: 'LOST', payout: 0 },
  { direction: 'UP',   openPrice: 230_000,   closePrice: 230_000,   stake: 2_550,  payoutRateBps: 8_500,  status: 'TIE',  payout: 2_550 },  // refund
  { direction: 'DOWN', openPrice: 230_000,   closePrice: 230_000,   stake: 2_550,  payoutRateBps: 8_500,  status: 'TIE',  payout: 2_550 },  // refund
  { direction: 'UP',   openPrice: 9_500,     closePrice: 9_501,     stake: 333,    payoutRateBps: 8_500,  status: 'WON',  payout: 616 },    // 333 + 283.05 -> 283
  { direction: 'DOWN', openPrice: 60,        closePrice: 59,        stake: 1,      payoutRateBps: 8_500,  status: 'WON',  payout: 1 },      // 1 + 0.85 -> 0
  { direction: 'DOWN', openPrice: 9_500,     closePrice: 9_400,     stake: 12_345, payoutRateBps: 8_500,  status: 'WON',  payout: 22_838 }, // 12345 + 10493.25 -> 10493
  { direction: 'UP',   openPrice: 100,       closePrice: 101,       stake: 999,    payoutRateBps: 7_000,  status: 'WON',  payout: 1_698 },  // 999 + 699.3 -> 699
  { direction: 'UP',   openPrice: 100,       closePrice: 99,        stake: 999,    payoutRateBps: 7_000,  status: 'LOST', payout: 0 },
  { direction: 'DOWN', openPrice: 4_300_000, closePrice: 4_299_999, stake: 50,     payoutRateBps: 7_000,  status: 'WON',  payout: 85 },     // 50 + 35
  { direction: 'DOWN', openPrice: 100,       closePrice: 100,       stake: 999,    payoutRateBps: 7_000,  status: 'TIE',  payout: 999 },    // refund
  { direction: 'UP',   openPrice: 100,       closePrice: 200,       stake: 12_345, payoutRateBps: 15_000, status: 'WON',  payout: 30_862 }, // 12345 + 18517.5 -> 18517
  { direction: 'DOWN', openPrice: 100,       closePrice: 200,       stake: 12_345, payoutRateBps: 15_000, status: 'LOST', payout: 0 },
];
