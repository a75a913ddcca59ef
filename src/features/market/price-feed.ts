import type { Minor } from '../../kernel/money';

export interface PriceTick {
  symbol: string;
  /** Integer minor units (cents) per unit of the base asset. */
  price: Minor;
  at: Date;
}

/** Market data: the price now, and the price that was in force at a past instant. */
export interface PriceFeed {
  latest(symbol: string): Promise<PriceTick>;
  priceAt(symbol: string, time: Date): Promise<PriceTick>;
}

/** "43000.125" -> 4300013 (half-up to cents), by string arithmetic only. */
export function decimalPriceToMinor(text: string): Minor {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a price: ${text}`);
  const frac = (m[2] ?? '').padEnd(3, '0');
  const cents = Number(m[1]) * 100 + Number(frac.slice(0, 2));
  return Number(frac[2]) >= 5 ? cents + 1 : cents;
}
