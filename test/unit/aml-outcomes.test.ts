import { highestOutcome, outcomeOf, OUTCOMES } from '../../src/features/aml/rules';

describe('the outcome ladder', () => {
  it('is ordered approve < review < block_and_review < decline', () => {
    expect(OUTCOMES).toEqual(['approve', 'review', 'block_and_review', 'decline']);
  });

  it('maps each finding to its step', () => {
    expect(outcomeOf({ result: 'PASS', severity: 'LOW', metadata: {} })).toBe('approve');
    expect(outcomeOf({ result: 'REVIEW', severity: 'MEDIUM', metadata: {} })).toBe('review');
    expect(outcomeOf({ result: 'REVIEW', severity: 'HIGH', metadata: {} })).toBe('review');
    expect(outcomeOf({ result: 'REVIEW', severity: 'HIGH', metadata: { holdWithdrawals: true } })).toBe(
      'block_and_review',
    );
    expect(outcomeOf({ result: 'REVIEW', severity: 'HIGH', metadata: { holdWithdrawals: false } })).toBe('review');
    expect(outcomeOf({ result: 'FAIL', severity: 'CRITICAL', metadata: {} })).toBe('decline');
    expect(outcomeOf({ result: 'FAIL', severity: 'HIGH', metadata: {} })).toBe('review');
  });

  it("a user's outcome is the highest of the rules' outcomes", () => {
    expect(highestOutcome([])).toBe('approve');
    expect(highestOutcome(['review', 'approve'])).toBe('review');
    expect(highestOutcome(['block_and_review', 'review', 'approve'])).toBe('block_and_review');
    expect(highestOutcome(['review', 'decline', 'block_and_review'])).toBe('decline');
  });
});
