import type { Minor } from '../../kernel/money';
import type { SanctionsMatch } from './sanctions';

/** AML rules, pure: each takes a per-user snapshot (computed in SQL) and the thresholds. */
export const CHECK_TYPES = [
  'VELOCITY',
  'ANOMALY',
  'VOLUME',
  'DEPOSIT_LIMIT',
  'WITHDRAWAL_LIMIT',
  'TRADE_SIZE',
  'COUNTRY',
  'SANCTIONS',
  'ABUSE',
  'SUMMARY',
] as const;
export type CheckType = (typeof CHECK_TYPES)[number];
export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const RESULTS = ['PASS', 'REVIEW', 'FAIL'] as const;
export type CheckResult = (typeof RESULTS)[number];

export interface AmlThresholds {
  maxDailyDeposits: Minor;
  maxDailyWithdrawals: Minor;
  maxTradeSize: Minor;
  maxTradesPerHour: number;
  /** Transactions per minute above which the account is frozen. */
  velocityPerMinute: number;
  maxDailyTradeVolume: Minor;
  bannedCountries: string[];
  /** A deposit at or above this share of the daily limit (and below it) counts as "just under". */
  structuringShare: number;
  /** This many such deposits in 7 days is structuring. */
  structuringCount: number;
  /** Withdrawn share of the last 24 h deposits, with traded share under `abuseMaxTradedShare`. */
  abuseWithdrawnShare: number;
  abuseMaxTradedShare: number;
}

export interface AmlSnapshot {
  userId: string;
  country: string;
  /** Deposits, withdrawals, spot trades and binary opens in the last 60 s. */
  transactionsLastMinute: number;
  /** Spot trades and binary opens in the last hour. */
  tradesLastHour: number;
  /** Spot notional plus binary stakes since midnight UTC. */
  tradeVolumeToday: Minor;
  largestTradeToday: Minor;
  depositsToday: Minor;
  withdrawalsToday: Minor;
  depositsLast24h: Minor;
  withdrawalsLast24h: Minor;
  tradeVolumeLast24h: Minor;
  /** Deposit amounts of the last 7 days (for structuring). */
  depositAmountsLast7d: Minor[];
}

export interface AmlFinding {
  checkType: CheckType;
  severity: Severity;
  result: CheckResult;
  notes: string;
  metadata: Record<string, unknown>;
}

const pass = (checkType: CheckType, metadata: Record<string, unknown>): AmlFinding => ({
  checkType,
  severity: 'LOW',
  result: 'PASS',
  notes: 'within limits',
  metadata,
});

/** A value strictly above its threshold gives `outcome`; at or below it, PASS. */
function overThreshold(
  checkType: CheckType,
  field: keyof AmlSnapshot,
  value: number,
  threshold: number,
  outcome: { severity: Severity; result: CheckResult; notes: string },
): AmlFinding {
  const metadata = { [field]: value, threshold };
  return value > threshold ? { checkType, ...outcome, metadata } : pass(checkType, metadata);
}

export const checkVelocity = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('VELOCITY', 'transactionsLastMinute', s.transactionsLastMinute, t.velocityPerMinute, {
    severity: 'CRITICAL',
    result: 'FAIL',
    notes: `${s.transactionsLastMinute} transactions in one minute`,
  });

export const checkTradeAnomaly = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('ANOMALY', 'tradesLastHour', s.tradesLastHour, t.maxTradesPerHour, {
    severity: 'MEDIUM',
    result: 'REVIEW',
    notes: `${s.tradesLastHour} trades in one hour`,
  });

export const checkTradeVolume = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('VOLUME', 'tradeVolumeToday', s.tradeVolumeToday, t.maxDailyTradeVolume, {
    severity: 'HIGH',
    result: 'REVIEW',
    notes: 'daily trade volume above the limit',
  });

export const checkDailyDeposits = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('DEPOSIT_LIMIT', 'depositsToday', s.depositsToday, t.maxDailyDeposits, {
    severity: 'HIGH',
    result: 'REVIEW',
    notes: 'daily deposits above the limit',
  });

export const checkDailyWithdrawals = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('WITHDRAWAL_LIMIT', 'withdrawalsToday', s.withdrawalsToday, t.maxDailyWithdrawals, {
    severity: 'HIGH',
    result: 'REVIEW',
    notes: 'daily withdrawals above the limit',
  });

export const checkTradeSize = (s: AmlSnapshot, t: AmlThresholds) =>
  overThreshold('TRADE_SIZE', 'largestTradeToday', s.largestTradeToday, t.maxTradeSize, {
    severity: 'HIGH',
    result: 'REVIEW',
    notes: 'a single trade above MAX_TRADE_SIZE',
  });

export function checkCountry(s: AmlSnapshot, t: AmlThresholds): AmlFinding {
  const metadata = { country: s.country, banned: t.bannedCountries };
  return t.bannedCountries.includes(s.country.toUpperCase())
    ? {
        checkType: 'COUNTRY',
        severity: 'CRITICAL',
        result: 'FAIL',
        notes: `country ${s.country} is restricted`,
        metadata,
      }
    : pass('COUNTRY', metadata);
}

export function checkSanctions(match: SanctionsMatch | null): AmlFinding {
  if (!match) return pass('SANCTIONS', { match: null });
  const metadata = {
    matchedEntry: {
      id: match.entry.id,
      name: match.entry.name,
      datasets: match.entry.datasets,
      countries: match.entry.countries,
    },
    matchedName: match.matchedName,
    score: match.score,
    birthDateMatches: match.birthDateMatches,
    // Read by canUserWithdraw: withdrawals wait until an admin resolves this check.
    holdWithdrawals: match.strongNameDifferentBirthDate,
  };
  return match.strength === 'STRONG'
    ? {
        checkType: 'SANCTIONS',
        severity: 'CRITICAL',
        result: 'FAIL',
        notes: `strong sanctions match: ${match.entry.name}`,
        metadata,
      }
    : {
        checkType: 'SANCTIONS',
        severity: 'HIGH',
        result: 'REVIEW',
        notes: `possible sanctions match: ${match.entry.name}`,
        metadata,
      };
}

/** Deposit then withdrawal of most of it with little trading; or many deposits just under the daily limit. */
export function checkAbuse(s: AmlSnapshot, t: AmlThresholds): AmlFinding {
  const roundTrip =
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent; with no deposits the traded-share test (volume < 0) is false anyway, since the snapshot's sums are never negative
    s.depositsLast24h > 0 &&
    s.withdrawalsLast24h >= s.depositsLast24h * t.abuseWithdrawnShare &&
    s.tradeVolumeLast24h < s.depositsLast24h * t.abuseMaxTradedShare;
  const floor = Math.ceil(t.maxDailyDeposits * t.structuringShare);
  const justUnder = s.depositAmountsLast7d.filter((a) => a >= floor && a < t.maxDailyDeposits).length;
  const structuring = justUnder >= t.structuringCount;
  const metadata = {
    depositsLast24h: s.depositsLast24h,
    withdrawalsLast24h: s.withdrawalsLast24h,
    tradeVolumeLast24h: s.tradeVolumeLast24h,
    depositsJustUnderLimitLast7d: justUnder,
  };
  if (!roundTrip && !structuring) return pass('ABUSE', metadata);
  const notes = [
    roundTrip && 'deposit withdrawn with little trading',
    structuring && 'repeated deposits just under the daily limit',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    checkType: 'ABUSE',
    severity: 'HIGH',
    result: 'REVIEW',
    notes,
    metadata: { ...metadata, roundTrip, structuring },
  };
}

/** Every rule, in a stable order. */
export function evaluateRules(s: AmlSnapshot, t: AmlThresholds, sanctions: SanctionsMatch | null): AmlFinding[] {
  return [
    checkVelocity(s, t),
    checkTradeAnomaly(s, t),
    checkTradeVolume(s, t),
    checkDailyDeposits(s, t),
    checkDailyWithdrawals(s, t),
    checkTradeSize(s, t),
    checkCountry(s, t),
    checkSanctions(sanctions),
    checkAbuse(s, t),
  ];
}

export const requiresFreeze = (f: AmlFinding) => f.result === 'FAIL' && f.severity === 'CRITICAL';

/** Who may unfreeze: two different admins. Pure helper for the workflow and the API. */
export function unfreezeRefusal(approvals: string[], adminId: string): string | null {
  return approvals.includes(adminId) ? 'this admin has already approved; a second, different admin must approve' : null;
}
export const UNFREEZE_APPROVALS_NEEDED = 2;

/** The outcome ladder, lowest first: a user's outcome is the highest of their rules' outcomes. */
export const OUTCOMES = ['approve', 'review', 'block_and_review', 'decline'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const outcomeRank = (o: Outcome): number => OUTCOMES.indexOf(o);
export const highestOutcome = (outcomes: Outcome[]): Outcome =>
  outcomes.reduce<Outcome>((hi, o) => (outcomeRank(o) > outcomeRank(hi) ? o : hi), 'approve');

/**
 * What one rule's finding asks for: PASS approves; a critical FAIL declines (the account is
 * frozen); a finding that must hold the money until someone looks (a strong sanctions name match
 * told apart only by the birth date) blocks withdrawals and trading pending a review; any other
 * finding asks for a review and blocks nothing.
 */
export function outcomeOf(f: Pick<AmlFinding, 'result' | 'severity' | 'metadata'>): Outcome {
  if (f.result === 'PASS') return 'approve';
  if (f.result === 'FAIL' && f.severity === 'CRITICAL') return 'decline';
  if (f.metadata.holdWithdrawals === true) return 'block_and_review';
  return 'review';
}
