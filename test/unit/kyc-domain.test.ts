import {
  adminDecisionRefusal,
  applyProviderResult,
  resubmissionRefusal,
  type KycState,
  type ProviderResult,
} from '../../src/features/kyc/rules';

const state = (over: Partial<KycState> = {}): KycState => ({
  userId: 'u1',
  provider: 'SUMSUB',
  status: 'PENDING',
  attempt: 1,
  maxAttempts: 3,
  providerId: 'app-1',
  needsManualReview: false,
  lastProviderEventAt: 1_000,
  decidedBy: null,
  reason: null,
  ...over,
});
const result = (over: Partial<ProviderResult> = {}): ProviderResult => ({
  provider: 'SUMSUB',
  providerId: 'app-1',
  outcome: 'APPROVED',
  occurredAt: 2_000,
  eventId: 'e1',
  ...over,
});

describe('KYC decisions', () => {
  it('applies a provider approval or rejection while pending', () => {
    expect(applyProviderResult(state(), result())).toEqual({ kind: 'decide', status: 'APPROVED', reason: null });
    expect(applyProviderResult(state(), result({ outcome: 'REJECTED', reason: 'forged' }))).toEqual({
      kind: 'decide',
      status: 'REJECTED',
      reason: 'forged',
    });
  });

  it('ignores results older than the last applied, about another session, after a decision, or not decisive', () => {
    expect(applyProviderResult(state(), result({ occurredAt: 999 }))).toEqual({ kind: 'ignore', why: 'stale' });
    expect(applyProviderResult(state(), result({ occurredAt: 1_000 })).kind).toBe('decide'); // same instant is not older
    expect(applyProviderResult(state(), result({ providerId: 'app-0' }))).toEqual({
      kind: 'ignore',
      why: 'other-session',
    });
    expect(applyProviderResult(state({ status: 'APPROVED' }), result())).toEqual({ kind: 'ignore', why: 'final' });
    expect(applyProviderResult(state(), result({ outcome: 'PENDING' }))).toEqual({
      kind: 'ignore',
      why: 'not-decisive',
    });
    expect(applyProviderResult(state({ status: 'AWAITING_USER' }), result())).toEqual({
      kind: 'ignore',
      why: 'not-decisive',
    });
  });

  it('turns RETRY into waiting for the user until the last attempt, then a rejection', () => {
    expect(applyProviderResult(state({ attempt: 2 }), result({ outcome: 'RETRY' }))).toEqual({ kind: 'await-user' });
    expect(applyProviderResult(state({ attempt: 3 }), result({ outcome: 'RETRY' }))).toEqual({
      kind: 'decide',
      status: 'REJECTED',
      reason: 'resubmission limit reached',
    });
  });

  it('a provider review (Veriff 9121) keeps the case waiting without using an attempt, even the last one', () => {
    for (const attempt of [1, 3]) {
      expect(applyProviderResult(state({ attempt }), result({ outcome: 'REVIEW' }))).toEqual({
        kind: 'wait',
        why: 'provider-review',
      });
    }
    // The review is applied (its time guards against older deliveries); the decision that follows counts.
    const reviewed = state({ lastProviderEventAt: 2_000 });
    expect(applyProviderResult(reviewed, result({ occurredAt: 3_000 }))).toMatchObject({ status: 'APPROVED' });
    expect(applyProviderResult(reviewed, result({ outcome: 'RETRY', occurredAt: 1_500 }))).toEqual({
      kind: 'ignore',
      why: 'stale',
    });
    expect(applyProviderResult(state({ status: 'AWAITING_USER' }), result({ outcome: 'REVIEW' })).kind).toBe('ignore');
  });

  it('allows a resubmission only while awaiting the user and under the attempt limit', () => {
    expect(resubmissionRefusal({ status: 'AWAITING_USER', attempt: 2, maxAttempts: 3 })).toBeNull();
    expect(resubmissionRefusal({ status: 'AWAITING_USER', attempt: 3, maxAttempts: 3 })).toMatch(/at most 3 attempts/);
    expect(resubmissionRefusal({ status: 'PENDING', attempt: 1, maxAttempts: 3 })).toMatch(/not waiting/);
  });

  it("refuses an admin decision on a decided case and on the admin's own case", () => {
    expect(adminDecisionRefusal({ status: 'PENDING', userId: 'u1' }, 'admin')).toBeNull();
    expect(adminDecisionRefusal({ status: 'AWAITING_USER', userId: 'u1' }, 'admin')).toBeNull();
    expect(adminDecisionRefusal({ status: 'REJECTED', userId: 'u1' }, 'admin')).toMatch(/already REJECTED/);
    expect(adminDecisionRefusal({ status: 'PENDING', userId: 'u1' }, 'u1')).toMatch(/own KYC/);
  });
});
