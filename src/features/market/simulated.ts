import { createHash } from 'node:crypto';
import type { PriceFeed, PriceTick } from './price-feed';

/**
 * A deterministic simulated market: the price of a symbol in each whole second is a function of
 * (seed, symbol, second) only, so every process (API, workers) sees the same price for the
 * same instant and any past instant can be looked up. A slow sine drift plus hash noise of up
 * to `volatilityBps` around the symbol's base price; volatility 0 gives a flat market.
 */
export class SimulatedMarket implements PriceFeed {
  constructor(private readonly opts: { seed: string; basePrices: Record<string, number>; volatilityBps: number }) {}

  private priceForSecond(symbol: string, second: number): number {
    const base = this.opts.basePrices[symbol];
    if (base === undefined) throw new Error(`unknown symbol ${symbol}`);
    if (this.opts.volatilityBps === 0) return base;
    const digest = createHash('sha256').update(`${this.opts.seed}:${symbol}:${second}`).digest();
    const noise = (digest.readUInt32BE(0) / 0xffffffff) * 2 - 1; // [-1, 1]
    const drift = Math.sin(second / 600); // ~1 hour period
    const bps = Math.round((0.5 * drift + 0.5 * noise) * this.opts.volatilityBps);
    return Math.max(1, base + Math.round((base * bps) / 10_000));
  }

  async priceAt(symbol: string, time: Date): Promise<PriceTick> {
    const second = Math.floor(time.getTime() / 1000);
    return { symbol, price: this.priceForSecond(symbol, second), at: new Date(second * 1000) };
  }

  async latest(symbol: string): Promise<PriceTick> {
    return this.priceAt(symbol, new Date());
  }
}
