import { loadConfig } from '../../src/kernel/config';
import { simulatedMarketFromConfig } from '../../src/features/market';

/** 20 consecutive seconds of BTCUSD from a market built the way each process builds it at start. */
const path = async (env: Record<string, string>) => {
  const market = simulatedMarketFromConfig(loadConfig(env));
  const start = Date.UTC(2026, 0, 1);
  const ticks = [];
  for (let s = 0; s < 20; s++) ticks.push((await market.priceAt('BTCUSD', new Date(start + s * 1000))).price);
  return ticks;
};

describe('the simulated market cannot be computed from the repository', () => {
  it('without MARKET_SEED each start gets its own path, not the former default seed', async () => {
    const formerDefault = await path({ MARKET_SEED: 'local-market' });
    const first = await path({});
    const second = await path({});
    expect(first).not.toEqual(formerDefault);
    expect(first).not.toEqual(second);
    // Noise makes a coincidence per tick possible, not for most of 20.
    expect(first.filter((p, i) => p === formerDefault[i]).length).toBeLessThan(5);
  });

  it('an explicit MARKET_SEED (tests, a cluster sharing one market) gives the same path', async () => {
    expect(await path({ MARKET_SEED: 'shared-seed' })).toEqual(await path({ MARKET_SEED: 'shared-seed' }));
  });
});
