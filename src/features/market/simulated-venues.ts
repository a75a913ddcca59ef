import { createHash } from 'node:crypto';
import type { VenueQuoteSource } from './venue';

/** Something that knows a mid price now (structurally compatible with PriceFeed.latest). */
export interface MidPriceSource {
  latest(symbol: string): Promise<{ price: number; at: Date }>;
}

/**
 * A simulated venue quoting around a shared mid: its own price offset (`offsetBps`, how far its
 * book sits from the market) and half-spread (`halfSpreadBps`), with a per-venue hash jitter of
 * up to `jitterBps` so venues drift apart and together over time.
 */
export class SimulatedVenue implements VenueQuoteSource {
  constructor(
    readonly venue: string,
    readonly feeBps: number,
    private readonly opts: { mid: MidPriceSource; halfSpreadBps: number; offsetBps: number; jitterBps?: number },
  ) {}

  async quote(symbol: string): Promise<{ bid: number; ask: number; at: Date }> {
    const { price, at } = await this.opts.mid.latest(symbol);
    const digest = createHash('sha256').update(`${this.venue}:${symbol}:${at.getTime()}`).digest();
    const jitter = ((digest.readUInt32BE(0) / 0xffffffff) * 2 - 1) * (this.opts.jitterBps ?? 0);
    const center = price * (1 + (this.opts.offsetBps + jitter) / 10_000);
    const half = (price * this.opts.halfSpreadBps) / 10_000;
    const bid = Math.max(1, Math.floor(center - half));
    return { bid, ask: Math.max(bid, Math.ceil(center + half)), at };
  }
}

/**
 * Venues from `NAME=FEE_BPS:HALF_SPREAD_BPS:OFFSET_BPS` entries (ARBITRAGE_VENUES) around one
 * shared mid-price source.
 */
export function simulatedVenuesFromSpec(specs: string[], mid: MidPriceSource, jitterBps = 10): VenueQuoteSource[] {
  return specs.map((spec) => {
    const m = /^([A-Za-z0-9_-]+)=(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(-?\d+(?:\.\d+)?)$/.exec(spec.trim());
    if (!m) throw new Error(`bad venue spec "${spec}" (want NAME=FEE_BPS:HALF_SPREAD_BPS:OFFSET_BPS)`);
    return new SimulatedVenue(m[1]!, Number(m[2]), {
      mid,
      halfSpreadBps: Number(m[3]),
      offsetBps: Number(m[4]),
      jitterBps,
    });
  });
}
