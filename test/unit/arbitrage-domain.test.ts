import {
  EMPTY_STATS,
  MAX_ANOMALY_SCORE,
  anomalyScore,
  bestCrossSpreadBps,
  findOpportunities,
  isUsableQuote,
  sampleStdDev,
  welfordUpdate,
  type VenueQuote,
} from '../../src/features/arbitrage/rules';

const at = new Date('2026-01-01T00:00:00Z');
const q = (venue: string, feeBps: number, bid: number, ask: number): VenueQuote => ({ venue, feeBps, bid, ask, at });

describe('findOpportunities', () => {
  it('reports buy-low/sell-high only when the spread beats both fees', () => {
    // Buy at A's ask 10000, sell at B's bid 10040: 40 bps gross; fees 10 + 15 = 25 -> net 15.
    const opps = findOpportunities('BTCUSD', [q('A', 10, 9990, 10000), q('B', 15, 10040, 10050)]);
    expect(opps).toEqual([
      {
        symbol: 'BTCUSD',
        buyVenue: 'A',
        sellVenue: 'B',
        buyPrice: 10000,
        sellPrice: 10040,
        grossSpreadBps: 40,
        feesBps: 25,
        netSpreadBps: 15,
      },
    ]);
  });

  it('reports nothing when the spread only equals or falls short of the fees', () => {
    expect(findOpportunities('X', [q('A', 10, 9990, 10000), q('B', 15, 10025, 10030)])).toEqual([]); // 25 = 25
    expect(findOpportunities('X', [q('A', 10, 9990, 10000), q('B', 15, 10020, 10030)])).toEqual([]);
    // Overlapping books: no crossed pair at all.
    expect(findOpportunities('X', [q('A', 0, 9990, 10010), q('B', 0, 9995, 10005)])).toEqual([]);
  });

  it('ignores unusable quotes (crossed book, non-positive or non-finite prices) and a venue against itself', () => {
    expect(findOpportunities('X', [q('A', 0, 10100, 10000), q('B', 0, 10050, 10060)])).toEqual([]);
    expect(findOpportunities('X', [q('A', 0, 0, 0), q('B', 0, 10050, 10060)])).toEqual([]);
    expect(findOpportunities('X', [q('A', 0, NaN, 10), q('B', 0, 10050, 10060)])).toEqual([]);
    expect(findOpportunities('X', [q('A', 0, 100, 100)])).toEqual([]);
  });

  it('orders several opportunities best first', () => {
    const opps = findOpportunities('X', [q('A', 0, 9990, 10000), q('B', 0, 10020, 10030), q('C', 0, 10050, 10060)]);
    expect(opps.map((o) => `${o.buyVenue}>${o.sellVenue}`)).toEqual(['A>C', 'A>B', 'B>C']); // 50, 20, 19.94 bps
  });
});

describe('bestCrossSpreadBps', () => {
  it('is the best gross spread over ordered pairs, negative when nothing is crossed, null below two venues', () => {
    expect(bestCrossSpreadBps([q('A', 0, 9990, 10000), q('B', 0, 10040, 10050)])).toBe(40);
    expect(bestCrossSpreadBps([q('A', 0, 9990, 10000), q('B', 0, 9990, 10000)])).toBe(-10);
    expect(bestCrossSpreadBps([q('A', 0, 9990, 10000)])).toBeNull();
  });
});

describe('Welford running statistics and the anomaly score', () => {
  it('matches the two-pass mean and sample variance', () => {
    const xs = [3, -1.5, 7, 2, 2, 10.25, -4];
    const s = xs.reduce(welfordUpdate, EMPTY_STATS);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    expect(s.n).toBe(7);
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(sampleStdDev(s) ** 2).toBeCloseTo(variance, 10);
  });

  it('scores a new sample against the statistics before it, capped, 0 until two samples', () => {
    expect(anomalyScore(EMPTY_STATS, 100)).toBe(0);
    expect(anomalyScore(welfordUpdate(EMPTY_STATS, 1), 100)).toBe(0);
    const s = [1, 3].reduce(welfordUpdate, EMPTY_STATS); // mean 2, sd sqrt(2)
    expect(anomalyScore(s, 2 + Math.SQRT2)).toBeCloseTo(1, 4);
    expect(anomalyScore(s, 2 - 2 * Math.SQRT2)).toBeCloseTo(-2, 4);
    expect(anomalyScore(s, 1000)).toBe(MAX_ANOMALY_SCORE);
    const flat = [5, 5, 5].reduce(welfordUpdate, EMPTY_STATS);
    expect(anomalyScore(flat, 5)).toBe(0);
    expect(anomalyScore(flat, 6)).toBe(MAX_ANOMALY_SCORE);
  });
});

describe('edges of the quote and spread rules', () => {
  it.each([
    ['a bid that is not a number', q('A', 0, NaN, 101)],
    ['an infinite ask', q('A', 0, 100, Infinity)],
    ['a fee that is not a number', q('A', NaN, 100, 101)],
    ['a zero bid', q('A', 0, 0, 101)],
    ['a zero ask (and bid)', q('A', 0, 0, 0)],
    ['a negative bid', q('A', 0, -1, 101)],
    ['a bid above the ask', q('A', 0, 102, 101)],
    ['a negative fee', q('A', -1, 100, 101)],
  ])('%s is not usable', (_, quote) => {
    expect(isUsableQuote(quote)).toBe(false);
  });

  it('a locked market (bid equal to ask) with no fee is usable', () => {
    expect(isUsableQuote(q('A', 0, 100, 100))).toBe(true);
  });

  it('two quotes of one venue never make a pair with each other', () => {
    // Buying at A's 100 and selling at A's other bid of 103 would be 300 bps: not an arbitrage.
    expect(findOpportunities('BTC', [q('A', 0, 99, 100), q('A', 0, 103, 104)])).toEqual([]);
    expect(bestCrossSpreadBps([q('A', 0, 99, 100), q('A', 0, 103, 104)])).toBeNull();
  });

  it('the best cross spread is the largest over all ordered pairs, not the first found', () => {
    // A->B: (100.5-100)/100 = 50 bps; A->C: (101-100)/100 = 100 bps; B->C and C->... lower.
    const quotes = [q('A', 0, 99.5, 100), q('B', 0, 100.5, 101), q('C', 0, 101, 102)];
    expect(bestCrossSpreadBps(quotes)).toBe(100);
    // an unusable quote with a huge bid does not count
    expect(bestCrossSpreadBps([...quotes, q('D', 0, 200, 150)])).toBe(100);
  });

  it('one sample has no spread (standard deviation 0, not NaN)', () => {
    expect(sampleStdDev(welfordUpdate(EMPTY_STATS, 5))).toBe(0);
  });

  it('a flat history scores a drop as -10 and a difference below 1e-9 as 0', () => {
    const flat = [5, 5, 5].reduce(welfordUpdate, EMPTY_STATS);
    expect(anomalyScore(flat, 4)).toBe(-MAX_ANOMALY_SCORE);
    expect(anomalyScore(flat, 5 + 1e-12)).toBe(0);
    expect(anomalyScore(flat, 5 + 1e-6)).toBe(MAX_ANOMALY_SCORE);
  });
});
