import {
  checkAbuse,
  checkCountry,
  checkDailyDeposits,
  checkDailyWithdrawals,
  checkTradeAnomaly,
  checkTradeSize,
  checkTradeVolume,
  checkVelocity,
  requiresFreeze,
  unfreezeRefusal,
  type AmlSnapshot,
} from '../../src/features/aml/rules';
import { amlThresholdsFromConfig } from '../../src/features/aml/checks';
import { loadConfig } from '../../src/kernel/config';

const t = amlThresholdsFromConfig(loadConfig({}));
const snap = (over: Partial<AmlSnapshot> = {}): AmlSnapshot => ({
  userId: 'u',
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
const outcome = (f: { result: string; severity: string }) => `${f.result}/${f.severity}`;

describe('AML rules at threshold and threshold + 1', () => {
  it('uses the seed defaults', () => {
    expect(t).toMatchObject({
      maxDailyDeposits: 5_000_000,
      maxDailyWithdrawals: 5_000_000,
      maxTradeSize: 10_000_000,
      maxTradesPerHour: 100,
      velocityPerMinute: 10,
      maxDailyTradeVolume: 50_000_000,
      bannedCountries: ['KP', 'IR', 'SY'],
    });
  });

  it('VELOCITY: 10 tx/min passes, 11 is FAIL CRITICAL and freezes', () => {
    expect(outcome(checkVelocity(snap({ transactionsLastMinute: 10 }), t))).toBe('PASS/LOW');
    const f = checkVelocity(snap({ transactionsLastMinute: 11 }), t);
    expect(outcome(f)).toBe('FAIL/CRITICAL');
    expect(requiresFreeze(f)).toBe(true);
  });

  it('ANOMALY: 100 trades/h passes, 101 is REVIEW MEDIUM', () => {
    expect(outcome(checkTradeAnomaly(snap({ tradesLastHour: 100 }), t))).toBe('PASS/LOW');
    expect(outcome(checkTradeAnomaly(snap({ tradesLastHour: 101 }), t))).toBe('REVIEW/MEDIUM');
  });

  it('VOLUME: 500,000.00 a day passes, 500,000.01 is REVIEW HIGH', () => {
    expect(outcome(checkTradeVolume(snap({ tradeVolumeToday: 50_000_000 }), t))).toBe('PASS/LOW');
    expect(outcome(checkTradeVolume(snap({ tradeVolumeToday: 50_000_001 }), t))).toBe('REVIEW/HIGH');
  });

  it('daily deposits and withdrawals: 50,000.00 passes, 50,000.01 is REVIEW HIGH', () => {
    expect(outcome(checkDailyDeposits(snap({ depositsToday: 5_000_000 }), t))).toBe('PASS/LOW');
    expect(outcome(checkDailyDeposits(snap({ depositsToday: 5_000_001 }), t))).toBe('REVIEW/HIGH');
    expect(outcome(checkDailyWithdrawals(snap({ withdrawalsToday: 5_000_000 }), t))).toBe('PASS/LOW');
    expect(outcome(checkDailyWithdrawals(snap({ withdrawalsToday: 5_000_001 }), t))).toBe('REVIEW/HIGH');
  });

  it('TRADE_SIZE: a 100,000.00 trade passes, 100,000.01 is REVIEW HIGH', () => {
    expect(outcome(checkTradeSize(snap({ largestTradeToday: 10_000_000 }), t))).toBe('PASS/LOW');
    expect(outcome(checkTradeSize(snap({ largestTradeToday: 10_000_001 }), t))).toBe('REVIEW/HIGH');
  });

  it('COUNTRY: KP, IR, SY fail CRITICAL; others pass', () => {
    for (const c of ['KP', 'IR', 'SY']) expect(outcome(checkCountry(snap({ country: c }), t))).toBe('FAIL/CRITICAL');
    expect(outcome(checkCountry(snap({ country: 'GB' }), t))).toBe('PASS/LOW');
  });

  it('ABUSE: deposit withdrawn with little trading is REVIEW HIGH; with real trading it passes', () => {
    const base = { depositsLast24h: 1_000_000, withdrawalsLast24h: 800_000 };
    expect(outcome(checkAbuse(snap({ ...base, tradeVolumeLast24h: 99_999 }), t))).toBe('REVIEW/HIGH');
    expect(outcome(checkAbuse(snap({ ...base, tradeVolumeLast24h: 100_000 }), t))).toBe('PASS/LOW');
    expect(outcome(checkAbuse(snap({ ...base, withdrawalsLast24h: 799_999 }), t))).toBe('PASS/LOW');
  });

  it('ABUSE: three deposits just under the daily limit in 7 days is structuring; two is not', () => {
    const justUnder = 4_999_000;
    expect(outcome(checkAbuse(snap({ depositAmountsLast7d: [justUnder, justUnder] }), t))).toBe('PASS/LOW');
    const f = checkAbuse(snap({ depositAmountsLast7d: [justUnder, 4_500_000, justUnder] }), t);
    expect(outcome(f)).toBe('REVIEW/HIGH');
    expect(f.metadata).toMatchObject({ structuring: true, depositsJustUnderLimitLast7d: 3 });
    expect(outcome(checkAbuse(snap({ depositAmountsLast7d: [4_499_999, 4_499_999, 5_000_000] }), t))).toBe('PASS/LOW');
  });

  it('ABUSE: deposits of exactly the daily limit (50,000.00) are not "just under" it', () => {
    const atLimit = checkAbuse(snap({ depositAmountsLast7d: [5_000_000, 5_000_000, 5_000_000] }), t);
    expect(outcome(atLimit)).toBe('PASS/LOW');
    expect(atLimit.metadata).toMatchObject({ depositsJustUnderLimitLast7d: 0 });
    const under = checkAbuse(snap({ depositAmountsLast7d: [4_999_999, 4_999_999, 4_999_999] }), t);
    expect(outcome(under)).toBe('REVIEW/HIGH');
  });

  it('UNFREEZE needs a second, different admin', () => {
    expect(unfreezeRefusal([], 'a')).toBeNull();
    expect(unfreezeRefusal(['a'], 'b')).toBeNull();
    expect(unfreezeRefusal(['a'], 'a')).toMatch(/different admin/);
  });
});
