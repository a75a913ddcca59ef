import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../kernel/config';
import { ExchangeRestFeed } from './exchange';
import type { PriceFeed } from './price-feed';
import { RecordingPriceFeed } from './recording-feed';
import { SimulatedMarket } from './simulated';

/** Base prices from `SYMBOL=price` pairs, in minor units. */
export function basePrices(pairs: string[]): Record<string, number> {
  return Object.fromEntries(
    pairs.map((p) => {
      const [symbol, price] = p.split('=');
      return [symbol!.trim(), Math.round(Number(price) * 100)];
    }),
  );
}

/**
 * The one simulated market of a deployment: binary options settle on it and the simulated
 * arbitrage venues quote around it, so both price the same world.
 */
export function simulatedMarketFromConfig(config: Config): SimulatedMarket {
  return new SimulatedMarket({
    // Unset: random per start. A seed written in the repository would let anyone compute the path.
    seed: config.MARKET_SEED ?? randomBytes(16).toString('hex'),
    basePrices: basePrices(config.MARKET_BASE_PRICES),
    volatilityBps: config.MARKET_VOLATILITY_BPS,
  });
}

/** The configured market data, with every served tick recorded in PostgreSQL. */
export function priceFeedFromConfig(config: Config, em: () => EntityManager): PriceFeed {
  const source =
    config.MARKET_FEED === 'EXCHANGE'
      ? new ExchangeRestFeed(config.EXCHANGE_BASE_URL)
      : simulatedMarketFromConfig(config);
  return new RecordingPriceFeed(source, em);
}
