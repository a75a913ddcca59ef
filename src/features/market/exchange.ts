import { decimalPriceToMinor, type PriceFeed, type PriceTick } from './price-feed';

/**
 * A real exchange's public REST market data, in Binance's spot API format:
 * `GET /api/v3/ticker/price?symbol=BTCUSDT` -> { symbol, price } and
 * `GET /api/v3/klines?symbol=BTCUSDT&interval=1s&startTime=<ms>&limit=1` -> [[openTime, open, high, low, close, ...]].
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints
 * Our symbols (BTCUSD) map to the exchange's USDT pairs.
 */
export class ExchangeRestFeed implements PriceFeed {
  constructor(
    private readonly baseUrl: string,
    private readonly quote = 'USDT',
  ) {}

  private pair(symbol: string): string {
    if (!/^[A-Z]{3,10}USD$/.test(symbol)) throw new Error(`unsupported symbol ${symbol}`);
    return symbol.replace(/USD$/, this.quote);
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`exchange ${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  async latest(symbol: string): Promise<PriceTick> {
    const t = await this.get<{ symbol: string; price: string }>(`/api/v3/ticker/price?symbol=${this.pair(symbol)}`);
    return { symbol, price: decimalPriceToMinor(t.price), at: new Date() };
  }

  /** The close of the one-second candle that contains `time`. */
  async priceAt(symbol: string, time: Date): Promise<PriceTick> {
    const start = Math.floor(time.getTime() / 1000) * 1000;
    const klines = await this.get<[number, string, string, string, string][]>(
      `/api/v3/klines?symbol=${this.pair(symbol)}&interval=1s&startTime=${start}&limit=1`,
    );
    const k = klines[0];
    if (!k || k[0] !== start) throw new Error(`exchange has no ${symbol} candle at ${new Date(start).toISOString()}`);
    return { symbol, price: decimalPriceToMinor(k[4]), at: new Date(start) };
  }
}
