import { AppError } from '../../src/kernel/errors';
import { formatMinor, parseMinor } from '../../src/kernel/money';

describe('money at the edge', () => {
  it.each([
    ['0.01', 1],
    ['12.5', 1250],
    ['12.50', 1250],
    ['100000', 10_000_000],
    [19.99, 1999],
    [0.1, 10],
    [100000, 10_000_000],
  ])('parses %p to %p minor units', (input, minor) => {
    expect(parseMinor(input)).toBe(minor);
  });

  it.each(['-1', '1.234', '1e3', '', ' ', 'abc', '01', '1.', '.5', -5, 1.234, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %p as a validation error',
    (input) => {
      expect(() => parseMinor(input, 'stake')).toThrow(AppError);
      try {
        parseMinor(input, 'stake');
      } catch (err) {
        expect((err as AppError).code).toBe('VALIDATION_FAILED');
        expect((err as AppError).message).toMatch(/^stake /);
      }
    },
  );

  it('formats minor units back to a two-decimal string', () => {
    expect(formatMinor(1250)).toBe('12.50');
    expect(formatMinor(5)).toBe('0.05');
    expect(formatMinor(-199)).toBe('-1.99');
  });
});
