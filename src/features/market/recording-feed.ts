import type { EntityManager } from '@mikro-orm/postgresql';
import type { PriceFeed, PriceTick } from './price-feed';

/**
 * Wraps a feed and records every tick it serves in `price_ticks`, so the price a trade was
 * opened and settled at can be checked later. `priceAt` answers from the record when it holds
 * that second, so a settlement retried later reads the same price as the first try.
 */
export class RecordingPriceFeed implements PriceFeed {
  constructor(
    private readonly source: PriceFeed,
    private readonly em: () => EntityManager,
  ) {}

  private async record(tick: PriceTick): Promise<PriceTick> {
    const second = new Date(Math.floor(tick.at.getTime() / 1000) * 1000);
    const rows = await this.em().execute<{ price: string; at: Date }[]>(
      `insert into price_ticks (symbol, at, price) values (?, ?, ?)
       on conflict (symbol, at) do update set symbol = excluded.symbol returning price, at`,
      [tick.symbol, second, tick.price],
    );
    return { symbol: tick.symbol, price: Number(rows[0]!.price), at: new Date(rows[0]!.at) };
  }

  async latest(symbol: string): Promise<PriceTick> {
    return this.record(await this.source.latest(symbol));
  }

  async priceAt(symbol: string, time: Date): Promise<PriceTick> {
    const second = new Date(Math.floor(time.getTime() / 1000) * 1000);
    const rows = await this.em().execute<{ price: string; at: Date }[]>(
      `select price, at from price_ticks where symbol = ? and at = ?`,
      [symbol, second],
    );
    if (rows[0]) return { symbol, price: Number(rows[0].price), at: new Date(rows[0].at) };
    return this.record(await this.source.priceAt(symbol, second));
  }
}
