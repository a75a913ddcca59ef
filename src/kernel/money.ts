import { AppError } from './errors';

/**
 * Money is integer minor units (cents) everywhere inside the system. Amounts cross the edge
 * as decimal strings or numbers with at most two decimals and are converted here, by string
 * manipulation only: no float arithmetic ever touches an amount.
 */
export type Minor = number;

const DECIMAL = /^(0|[1-9]\d{0,13})(?:\.(\d{1,2}))?$/;

/**
 * Upper bounds that keep every sum a safe integer (2^53 - 1 = 9007199254740991 minor units):
 * one amount or price at most 10^13 minor units (100 billion), a balance at most 10^15, so even
 * a few balances added together stay exact in JavaScript and in PostgreSQL bigint.
 */
export const MAX_AMOUNT_MINOR = 10 ** 13;
export const MAX_BALANCE_MINOR = 10 ** 15;

/** "12.5" -> 1250. Rejects negatives, more than two decimals, exponents and junk. */
export function parseMinor(input: string | number, field = 'amount'): Minor {
  // A number's shortest round-trip form: 0.1 -> "0.1"; 1e21 -> "1e+21", NaN -> "NaN" and
  // Infinity -> "Infinity" fail the pattern like any other junk.
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = DECIMAL.exec(text);
  if (!m) {
    throw new AppError('VALIDATION_FAILED', `${field} must be a non-negative decimal with at most 2 decimal places`, [
      { path: [field], message: 'invalid amount' },
    ]);
  }
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_AMOUNT_MINOR) {
    throw new AppError('VALIDATION_FAILED', `${field} is too large`, [{ path: [field], message: 'too large' }]);
  }
  return minor;
}

/** 1250 -> "12.50" */
export function formatMinor(minor: Minor): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Whole currency units -> minor units, for thresholds written in config as plain numbers. */
export const unitsToMinor = (units: number): Minor => Math.round(units * 100);

/** Like parseMinor, but zero is refused too (amounts, prices). */
export function parsePositiveMinor(input: string | number, field = 'amount'): Minor {
  const minor = parseMinor(input, field);
  if (minor === 0) {
    throw new AppError('VALIDATION_FAILED', `${field} must be greater than 0`, [
      { path: [field], message: 'must be > 0' },
    ]);
  }
  return minor;
}

/** The one currency of wallets, trades and prices (wallets.currency), and its minor-unit scale. */
export const MONEY_CURRENCY = 'USD';
export const MONEY_SCALE = 2;
