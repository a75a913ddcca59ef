import type { RedisClient } from '../../kernel/redis/client';
import {
  anomalyScore,
  bestCrossSpreadBps,
  findOpportunities,
  type Opportunity,
  type RunningStats,
  type VenueQuote,
} from './rules';
import type { Logger } from '../../kernel/logger';
import type { VenueQuoteSource } from '../market/venue';
import { ARBITRAGE_ROOM, type EventPublisher } from '../realtime/events';

export interface StoredOpportunity extends Opportunity {
  id: string;
  scanId: string;
  /** z-score of this scan's best spread for the symbol (see rules.ts). */
  anomalyScore: number;
  detectedAt: string;
  expiresAt: string;
}

export interface SymbolScan {
  symbol: string;
  venues: string[];
  bestSpreadBps: number | null;
  anomalyScore: number;
  opportunities: StoredOpportunity[];
  /** Why the symbol was not evaluated (fewer than two venues answered). */
  skipped?: string;
}

/**
 * Welford statistics per symbol in one Redis hash, updated atomically by a Lua script (many scan
 * workers may run). The script is idempotent per scan id: a retried scan gets the same "before"
 * state back and does not count its sample twice. Returns the state before the update.
 */
const WELFORD_LUA = `
local h = KEYS[1]
local x = tonumber(ARGV[1])
local scan = ARGV[2]
if redis.call('HGET', h, 'last') == scan then
  return { redis.call('HGET', h, 'pn'), redis.call('HGET', h, 'pmean'), redis.call('HGET', h, 'pm2') }
end
local n = tonumber(redis.call('HGET', h, 'n') or '0')
local mean = tonumber(redis.call('HGET', h, 'mean') or '0')
local m2 = tonumber(redis.call('HGET', h, 'm2') or '0')
local fmt = '%.17g'
local before = { string.format(fmt, n), string.format(fmt, mean), string.format(fmt, m2) }
local n1 = n + 1
local delta = x - mean
local mean1 = mean + delta / n1
local m21 = m2 + delta * (x - mean1)
redis.call('HSET', h, 'n', string.format(fmt, n1), 'mean', string.format(fmt, mean1), 'm2', string.format(fmt, m21),
  'last', scan, 'pn', before[1], 'pmean', before[2], 'pm2', before[3])
return before
`;

export class SpreadStats {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  key(symbol: string) {
    return `${this.prefix}:arbitrage:stats:${symbol}`;
  }

  /** Adds x for this scan (once) and returns the statistics from before it. */
  async observe(symbol: string, x: number, scanId: string): Promise<RunningStats> {
    const [n, mean, m2] = (await this.redis.eval(WELFORD_LUA, 1, this.key(symbol), String(x), scanId)) as string[];
    return { n: Number(n), mean: Number(mean), m2: Number(m2) };
  }

  async get(symbol: string): Promise<RunningStats> {
    const h = await this.redis.hgetall(this.key(symbol));
    return { n: Number(h.n ?? 0), mean: Number(h.mean ?? 0), m2: Number(h.m2 ?? 0) };
  }
}

/**
 * Opportunities in Redis: one string key per opportunity with a TTL (it expires on its own) and
 * a sorted-set index by detection time, pruned on read.
 */
export class OpportunityStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly ttlSeconds: number,
  ) {}

  // One hash tag for the index and the items: save() writes both in one MULTI and list() reads
  // the items with one MGET, which a Redis Cluster allows only within one slot.
  private indexKey() {
    return `{${this.prefix}:arbitrage}:opportunities`;
  }

  private itemKey(id: string) {
    return `{${this.prefix}:arbitrage}:opportunity:${id}`;
  }

  async save(opps: StoredOpportunity[]): Promise<void> {
    if (!opps.length) return;
    const multi = this.redis.multi();
    for (const o of opps) {
      multi.set(this.itemKey(o.id), JSON.stringify(o), 'EX', this.ttlSeconds);
      multi.zadd(this.indexKey(), Date.parse(o.detectedAt), o.id);
    }
    multi.expire(this.indexKey(), this.ttlSeconds * 2);
    await multi.exec();
  }

  /** Live opportunities, newest first, optionally for one symbol. */
  async list(opts: { symbol?: string; limit?: number } = {}): Promise<StoredOpportunity[]> {
    const cutoff = Date.now() - this.ttlSeconds * 1000;
    await this.redis.zremrangebyscore(this.indexKey(), '-inf', `(${cutoff}`);
    const ids = await this.redis.zrevrange(this.indexKey(), 0, 999);
    if (!ids.length) return [];
    const values = await this.redis.mget(ids.map((id) => this.itemKey(id)));
    const found = values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as StoredOpportunity)
      .filter((o) => !opts.symbol || o.symbol === opts.symbol);
    return found.slice(0, opts.limit ?? 100);
  }
}

export interface ArbitrageScannerDeps {
  venues: VenueQuoteSource[];
  stats: SpreadStats;
  store: OpportunityStore;
  events: EventPublisher;
  logger: Logger;
  /** Quotes older than this are ignored (default 30 s). */
  maxQuoteAgeMs?: number;
}

/** One scan: fan out per symbol, each symbol reading every venue in parallel. */
export class ArbitrageScanner {
  constructor(private readonly deps: ArbitrageScannerDeps) {}

  async scan(scanId: string, symbols: string[]): Promise<SymbolScan[]> {
    const results = await Promise.allSettled(symbols.map((s) => this.scanSymbol(scanId, s)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Venue failures are reported per symbol; anything else (Redis down) fails the job for a retry.
    if (failed.length) throw failed[0]!.reason;
    return results.map((r) => (r as PromiseFulfilledResult<SymbolScan>).value);
  }

  async scanSymbol(scanId: string, symbol: string): Promise<SymbolScan> {
    const now = Date.now();
    const maxAge = this.deps.maxQuoteAgeMs ?? 30_000;
    const answers = await Promise.allSettled(
      this.deps.venues.map(async (v): Promise<VenueQuote> => ({
        venue: v.venue,
        feeBps: v.feeBps,
        ...(await v.quote(symbol)),
      })),
    );
    const quotes: VenueQuote[] = [];
    answers.forEach((a, i) => {
      if (a.status === 'fulfilled' && now - a.value.at.getTime() <= maxAge) quotes.push(a.value);
      else if (a.status === 'rejected')
        this.deps.logger.warn(
          { symbol, venue: this.deps.venues[i]!.venue, err: String(a.reason) },
          'venue quote failed',
        );
    });
    const venues = quotes.map((q) => q.venue);
    const best = bestCrossSpreadBps(quotes);
    if (best === null) {
      return {
        symbol,
        venues,
        bestSpreadBps: null,
        anomalyScore: 0,
        opportunities: [],
        skipped: 'fewer than two usable venue quotes',
      };
    }
    const before = await this.deps.stats.observe(symbol, best, scanId);
    const score = anomalyScore(before, best);
    const detectedAt = new Date(now);
    const expiresAt = new Date(now + this.deps.store.ttlSeconds * 1000);
    const opportunities: StoredOpportunity[] = findOpportunities(symbol, quotes).map((o) => ({
      ...o,
      id: `${scanId}-${symbol}-${o.buyVenue}-${o.sellVenue}`,
      scanId,
      anomalyScore: score,
      detectedAt: detectedAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
    }));
    await this.deps.store.save(opportunities);
    for (const o of opportunities) {
      await this.deps.events.publish(ARBITRAGE_ROOM, 'arbitrage:opportunity', { ...o });
    }
    return { symbol, venues, bestSpreadBps: best, anomalyScore: score, opportunities };
  }
}
