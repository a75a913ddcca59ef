import {
  checkAbuse,
  checkCountry,
  checkDailyDeposits,
  checkDailyWithdrawals,
  checkSanctions,
  checkTradeAnomaly,
  checkTradeSize,
  checkTradeVolume,
  checkVelocity,
  evaluateRules,
  requiresFreeze,
  type AmlFinding,
  type AmlSnapshot,
  type AmlThresholds,
} from '../../src/features/aml/rules';
import type { SanctionsEntry, SanctionsMatch } from '../../src/features/aml/sanctions';

/**
 * The finding each rule stores, as the compliance officer reads it in the check history: which
 * check, how severe, the result, the note and the numbers it was decided on. Thresholds here are
 * small round numbers chosen for the test (not the config's), so every expectation is arithmetic.
 */
const t: AmlThresholds = {
  maxDailyDeposits: 10_000,
  maxDailyWithdrawals: 20_000,
  maxTradeSize: 30_000,
  maxTradesPerHour: 5,
  velocityPerMinute: 3,
  maxDailyTradeVolume: 40_000,
  bannedCountries: ['KP', 'IR'],
  structuringShare: 0.9, // "just under" the 10,000 limit: 9,000 up to 9,999
  structuringCount: 3,
  abuseWithdrawnShare: 0.8,
  abuseMaxTradedShare: 0.1,
};
const snap = (over: Partial<AmlSnapshot> = {}): AmlSnapshot => ({
  userId: 'u1',
  country: 'DE',
  transactionsLastMinute: 0,
  tradesLastHour: 0,
  tradeVolumeToday: 0,
  largestTradeToday: 0,
  depositsToday: 0,
  withdrawalsToday: 0,
  depositsLast24h: 0,
  withdrawalsLast24h: 0,
  tradeVolumeLast24h: 0,
  depositAmountsLast7d: [],
  ...over,
});
const passed = (checkType: string, metadata: Record<string, unknown>): AmlFinding =>
  ({ checkType, severity: 'LOW', result: 'PASS', notes: 'within limits', metadata }) as AmlFinding;

describe('threshold rules: the stored finding on both sides of the limit', () => {
  it.each([
    {
      rule: checkVelocity,
      field: 'transactionsLastMinute',
      threshold: 3,
      over: { checkType: 'VELOCITY', severity: 'CRITICAL', result: 'FAIL', notes: '4 transactions in one minute' },
    },
    {
      rule: checkTradeAnomaly,
      field: 'tradesLastHour',
      threshold: 5,
      over: { checkType: 'ANOMALY', severity: 'MEDIUM', result: 'REVIEW', notes: '6 trades in one hour' },
    },
    {
      rule: checkTradeVolume,
      field: 'tradeVolumeToday',
      threshold: 40_000,
      over: { checkType: 'VOLUME', severity: 'HIGH', result: 'REVIEW', notes: 'daily trade volume above the limit' },
    },
    {
      rule: checkDailyDeposits,
      field: 'depositsToday',
      threshold: 10_000,
      over: { checkType: 'DEPOSIT_LIMIT', severity: 'HIGH', result: 'REVIEW', notes: 'daily deposits above the limit' },
    },
    {
      rule: checkDailyWithdrawals,
      field: 'withdrawalsToday',
      threshold: 20_000,
      over: {
        checkType: 'WITHDRAWAL_LIMIT',
        severity: 'HIGH',
        result: 'REVIEW',
        notes: 'daily withdrawals above the limit',
      },
    },
    {
      rule: checkTradeSize,
      field: 'largestTradeToday',
      threshold: 30_000,
      over: {
        checkType: 'TRADE_SIZE',
        severity: 'HIGH',
        result: 'REVIEW',
        notes: 'a single trade above MAX_TRADE_SIZE',
      },
    },
  ])('$over.checkType: $field at $threshold passes, one above does not', ({ rule, field, threshold, over }) => {
    expect(rule(snap({ [field]: threshold }), t)).toEqual(passed(over.checkType, { [field]: threshold, threshold }));
    expect(rule(snap({ [field]: threshold + 1 }), t)).toEqual({
      ...over,
      metadata: { [field]: threshold + 1, threshold },
    });
  });
});

describe('COUNTRY', () => {
  it('a banned country fails CRITICAL, naming it; the note keeps the country as stored', () => {
    expect(checkCountry(snap({ country: 'ir' }), t)).toEqual({
      checkType: 'COUNTRY',
      severity: 'CRITICAL',
      result: 'FAIL',
      notes: 'country ir is restricted',
      metadata: { country: 'ir', banned: ['KP', 'IR'] },
    });
  });

  it('any other country passes with the same metadata', () => {
    expect(checkCountry(snap({ country: 'FR' }), t)).toEqual(
      passed('COUNTRY', { country: 'FR', banned: ['KP', 'IR'] }),
    );
  });
});

describe('SANCTIONS', () => {
  const entry: SanctionsEntry = {
    id: 'e1',
    schema: 'Person',
    name: 'Ivan Petrovich Sidorov',
    aliases: ['Ivan Sidorov'],
    birthDates: ['1961-04-12'],
    countries: ['RU'],
    sanctions: ['asset freeze'],
    programIds: ['P1'],
    datasets: ['Test list'],
  };
  const match = (over: Partial<SanctionsMatch>): SanctionsMatch => ({
    entry,
    matchedName: 'Ivan Sidorov',
    score: 0.95,
    strength: 'STRONG',
    birthDateMatches: null,
    strongNameDifferentBirthDate: false,
    ...over,
  });
  const matchedEntry = { id: 'e1', name: 'Ivan Petrovich Sidorov', datasets: ['Test list'], countries: ['RU'] };

  it('no match passes with match: null', () => {
    expect(checkSanctions(null)).toEqual(passed('SANCTIONS', { match: null }));
  });

  it('a strong match fails CRITICAL, naming the listed person', () => {
    expect(checkSanctions(match({}))).toEqual({
      checkType: 'SANCTIONS',
      severity: 'CRITICAL',
      result: 'FAIL',
      notes: 'strong sanctions match: Ivan Petrovich Sidorov',
      metadata: {
        matchedEntry,
        matchedName: 'Ivan Sidorov',
        score: 0.95,
        birthDateMatches: null,
        holdWithdrawals: false,
      },
    });
  });

  it('a weak match is REVIEW HIGH; withdrawals are held only for a strong name with another birth date', () => {
    const weak = checkSanctions(match({ strength: 'WEAK', score: 0.85 }));
    expect(weak).toEqual({
      checkType: 'SANCTIONS',
      severity: 'HIGH',
      result: 'REVIEW',
      notes: 'possible sanctions match: Ivan Petrovich Sidorov',
      metadata: {
        matchedEntry,
        matchedName: 'Ivan Sidorov',
        score: 0.85,
        birthDateMatches: null,
        holdWithdrawals: false,
      },
    });
    const otherBirthDate = checkSanctions(
      match({ strength: 'WEAK', birthDateMatches: false, strongNameDifferentBirthDate: true }),
    );
    expect(otherBirthDate).toMatchObject({
      result: 'REVIEW',
      severity: 'HIGH',
      metadata: { birthDateMatches: false, holdWithdrawals: true },
    });
  });
});

describe('ABUSE', () => {
  const metadataOf = (s: AmlSnapshot, justUnder: number) => ({
    depositsLast24h: s.depositsLast24h,
    withdrawalsLast24h: s.withdrawalsLast24h,
    tradeVolumeLast24h: s.tradeVolumeLast24h,
    depositsJustUnderLimitLast7d: justUnder,
  });

  it('a clean account passes with the numbers it was judged on', () => {
    const s = snap({ depositsLast24h: 1_000, withdrawalsLast24h: 100, tradeVolumeLast24h: 500 });
    expect(checkAbuse(s, t)).toEqual(passed('ABUSE', metadataOf(s, 0)));
  });

  it('no deposits and no activity is no round trip', () => {
    expect(checkAbuse(snap(), t).result).toBe('PASS');
  });

  it('a round trip: 1,000 in, 800 out (80%), 99 traded (under 10%)', () => {
    const s = snap({ depositsLast24h: 1_000, withdrawalsLast24h: 800, tradeVolumeLast24h: 99 });
    expect(checkAbuse(s, t)).toEqual({
      checkType: 'ABUSE',
      severity: 'HIGH',
      result: 'REVIEW',
      notes: 'deposit withdrawn with little trading',
      metadata: { ...metadataOf(s, 0), roundTrip: true, structuring: false },
    });
  });

  it('structuring: three deposits from 9,000 up to 9,999 within 7 days', () => {
    const s = snap({ depositAmountsLast7d: [9_000, 9_999, 9_500, 8_999, 10_000] });
    expect(checkAbuse(s, t)).toEqual({
      checkType: 'ABUSE',
      severity: 'HIGH',
      result: 'REVIEW',
      notes: 'repeated deposits just under the daily limit',
      metadata: { ...metadataOf(s, 3), roundTrip: false, structuring: true },
    });
  });

  it('small deposits, however many, are not "just under" the limit', () => {
    const s = snap({ depositAmountsLast7d: [100, 100, 100, 8_999] });
    expect(checkAbuse(s, t)).toEqual(passed('ABUSE', metadataOf(s, 0)));
  });

  it('both at once: both notes, joined with "; "', () => {
    const s = snap({
      depositsLast24h: 9_500,
      withdrawalsLast24h: 9_500,
      tradeVolumeLast24h: 0,
      depositAmountsLast7d: [9_500, 9_500, 9_500],
    });
    expect(checkAbuse(s, t)).toEqual({
      checkType: 'ABUSE',
      severity: 'HIGH',
      result: 'REVIEW',
      notes: 'deposit withdrawn with little trading; repeated deposits just under the daily limit',
      metadata: { ...metadataOf(s, 3), roundTrip: true, structuring: true },
    });
  });
});

describe('evaluateRules and requiresFreeze', () => {
  it('runs every rule once, in a stable order; a clean account passes them all', () => {
    const findings = evaluateRules(snap(), t, null);
    expect(findings.map((f) => f.checkType)).toEqual([
      'VELOCITY',
      'ANOMALY',
      'VOLUME',
      'DEPOSIT_LIMIT',
      'WITHDRAWAL_LIMIT',
      'TRADE_SIZE',
      'COUNTRY',
      'SANCTIONS',
      'ABUSE',
    ]);
    expect(findings.every((f) => f.result === 'PASS')).toBe(true);
  });

  it('reports each breach in its own finding', () => {
    const findings = evaluateRules(snap({ transactionsLastMinute: 4, country: 'KP' }), t, null);
    expect(findings.filter((f) => f.result !== 'PASS').map((f) => f.checkType)).toEqual(['VELOCITY', 'COUNTRY']);
  });

  it('only a critical failure freezes', () => {
    const f = (result: string, severity: string) => ({ result, severity }) as AmlFinding;
    expect(requiresFreeze(f('FAIL', 'CRITICAL'))).toBe(true);
    expect(requiresFreeze(f('FAIL', 'HIGH'))).toBe(false);
    expect(requiresFreeze(f('REVIEW', 'CRITICAL'))).toBe(false);
    expect(requiresFreeze(f('REVIEW', 'HIGH'))).toBe(false);
    expect(requiresFreeze(f('PASS', 'LOW'))).toBe(false);
  });
});
