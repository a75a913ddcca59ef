import { AppError } from '../../src/kernel/errors';
import { formatMinor, MAX_AMOUNT_MINOR, parseMinor, parsePositiveMinor, unitsToMinor } from '../../src/kernel/money';

/** The AppError a call throws, so its code, message and field details can be checked together. */
function refusal(call: () => unknown): { code: string; message: string; details: unknown } {
  try {
    call();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the call to be refused');
}

describe('parseMinor: what a client sending an amount sees', () => {
  it('accepts an amount with spaces around it (a form field pasted with a trailing space)', () => {
    expect(parseMinor(' 12.5 ')).toBe(1250);
    expect(parseMinor('\t7\n')).toBe(700);
  });

  it('names the field and points at it in the error details; "amount" when no field is given', () => {
    expect(refusal(() => parseMinor('abc'))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'amount must be a non-negative decimal with at most 2 decimal places',
      details: [{ path: ['amount'], message: 'invalid amount' }],
    });
    expect(refusal(() => parseMinor('1.234', 'stake')).details).toEqual([
      { path: ['stake'], message: 'invalid amount' },
    ]);
  });

  it('accepts up to 100,000,000,000.00 (10^13 minor units) and refuses one cent more as too large', () => {
    expect(MAX_AMOUNT_MINOR).toBe(10_000_000_000_000);
    expect(parseMinor('100000000000')).toBe(10_000_000_000_000);
    expect(parseMinor('99999999999.99')).toBe(9_999_999_999_999);
    expect(refusal(() => parseMinor('100000000000.01', 'price'))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'price is too large',
      details: [{ path: ['price'], message: 'too large' }],
    });
    // 14 integer digits pass the pattern but are far beyond the bound (and beyond 2^53 minor units).
    expect(refusal(() => parseMinor('99999999999999.99'))).toMatchObject({ message: 'amount is too large' });
  });

  it('refuses numbers that are not finite', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(refusal(() => parseMinor(n)).code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('parsePositiveMinor: amounts and prices that must be above zero', () => {
  it('accepts one cent and more', () => {
    expect(parsePositiveMinor('0.01')).toBe(1);
    expect(parsePositiveMinor(250, 'price')).toBe(25_000);
  });

  it('refuses zero, in any spelling, naming the field', () => {
    for (const zero of ['0', '0.0', '0.00', 0]) {
      expect(refusal(() => parsePositiveMinor(zero, 'price'))).toEqual({
        code: 'VALIDATION_FAILED',
        message: 'price must be greater than 0',
        details: [{ path: ['price'], message: 'must be > 0' }],
      });
    }
    expect(refusal(() => parsePositiveMinor('0')).message).toBe('amount must be greater than 0');
  });

  it('still refuses what parseMinor refuses', () => {
    expect(refusal(() => parsePositiveMinor('-1')).message).toMatch(/^amount must be a non-negative decimal/);
  });
});

describe('formatMinor and unitsToMinor', () => {
  it('formats zero without a sign and keeps two decimals', () => {
    expect(formatMinor(0)).toBe('0.00');
    expect(formatMinor(100)).toBe('1.00');
    expect(formatMinor(10_000_000_000_000)).toBe('100000000000.00');
    expect(formatMinor(-5)).toBe('-0.05');
  });

  it('turns whole-unit thresholds from config into minor units', () => {
    expect(unitsToMinor(50_000)).toBe(5_000_000);
    expect(unitsToMinor(0.1)).toBe(10); // 0.1 * 100 is 10.000000000000002 in floating point
  });
});
