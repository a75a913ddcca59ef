/**
 * KYC vocabulary and the pure decisions the workflow and routes share. No I/O here:
 * this module is imported by workflow code.
 */
export const KYC_PROVIDERS = ['LOCAL', 'SUMSUB', 'ONFIDO', 'VERIFF'] as const;
export type KycProviderName = (typeof KYC_PROVIDERS)[number];

/** Where a case stands inside the workflow (the database keeps the seed's four statuses). */
export type KycCaseStatus = 'PENDING' | 'AWAITING_USER' | 'APPROVED' | 'REJECTED';

/**
 * A provider webhook, normalised: a decision (APPROVED, REJECTED), a request that the user submit
 * again (RETRY), a person at the provider reviewing the case before deciding (REVIEW), or progress
 * that changes nothing (PENDING).
 */
export type ProviderOutcome = 'APPROVED' | 'REJECTED' | 'RETRY' | 'REVIEW' | 'PENDING';

export interface ProviderResult {
  provider: KycProviderName;
  providerId: string;
  outcome: ProviderOutcome;
  /** Provider's event time, epoch ms: older deliveries than the last one applied are ignored. */
  occurredAt: number;
  eventId: string;
  reason?: string | null;
  /**
   * The birth date the provider read from the identity document (YYYY-MM-DD), when its result
   * reports one: the only birth date that may weaken a sanctions name match.
   */
  verifiedDateOfBirth?: string | null;
}

export type KycActor =
  { type: 'PROVIDER'; id: KycProviderName } | { type: 'ADMIN'; id: string } | { type: 'SYSTEM'; id: string };

export interface KycState {
  userId: string;
  provider: KycProviderName;
  status: KycCaseStatus;
  attempt: number;
  maxAttempts: number;
  providerId: string | null;
  needsManualReview: boolean;
  lastProviderEventAt: number | null;
  decidedBy: KycActor | null;
  reason: string | null;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

export const isFinal = (status: KycCaseStatus) => status === 'APPROVED' || status === 'REJECTED';

/** What a provider result does to a case. Pure: the workflow applies the answer. */
export type ProviderResultEffect =
  | { kind: 'ignore'; why: 'final' | 'stale' | 'other-session' | 'not-decisive' }
  | { kind: 'decide'; status: 'APPROVED' | 'REJECTED'; reason: string | null }
  | { kind: 'await-user' }
  /** Applied (recorded, its time guards against older deliveries) but the case keeps waiting as it is. */
  | { kind: 'wait'; why: 'provider-review' };

export function applyProviderResult(state: KycState, result: ProviderResult): ProviderResultEffect {
  if (isFinal(state.status)) return { kind: 'ignore', why: 'final' };
  if (state.lastProviderEventAt !== null && result.occurredAt < state.lastProviderEventAt) {
    return { kind: 'ignore', why: 'stale' };
  }
  // A late answer about an earlier attempt's session must not decide the current one.
  if (state.providerId !== null && result.providerId !== state.providerId)
    return { kind: 'ignore', why: 'other-session' };
  if (state.status === 'AWAITING_USER') return { kind: 'ignore', why: 'not-decisive' };
  switch (result.outcome) {
    case 'APPROVED':
      return { kind: 'decide', status: 'APPROVED', reason: result.reason ?? null };
    case 'REJECTED':
      return { kind: 'decide', status: 'REJECTED', reason: result.reason ?? 'rejected by provider' };
    case 'RETRY':
      return state.attempt >= state.maxAttempts
        ? { kind: 'decide', status: 'REJECTED', reason: 'resubmission limit reached' }
        : { kind: 'await-user' };
    case 'REVIEW':
      // The provider's own reviewer decides next: no attempt is used, the decision that follows counts.
      return { kind: 'wait', why: 'provider-review' };
    default:
      return { kind: 'ignore', why: 'not-decisive' };
  }
}

/** Why a resubmission is refused, or null when the user may submit again. */
export function resubmissionRefusal(state: Pick<KycState, 'status' | 'attempt' | 'maxAttempts'>): string | null {
  if (state.status !== 'AWAITING_USER') return `the case is ${state.status}, not waiting for a resubmission`;
  if (state.attempt >= state.maxAttempts) return `at most ${state.maxAttempts} attempts are allowed`;
  return null;
}

/** Why an admin decision is refused, or null when it may be applied. */
/** Staff never decide their own case: checked by the API (403) and again by the workflow's validator. */
export const ownCaseRefusal = (userId: string, adminId: string): string | null =>
  userId === adminId ? 'an admin cannot decide their own KYC' : null;

export function adminDecisionRefusal(state: Pick<KycState, 'status' | 'userId'>, adminId: string): string | null {
  if (isFinal(state.status)) return `the case is already ${state.status}`;
  return ownCaseRefusal(state.userId, adminId);
}
