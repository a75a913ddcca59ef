import Redis, { type RedisOptions } from 'ioredis';
import type { Logger } from '../logger';

/** Exponential backoff from 50 ms, capped at 3 s (seed: redis.client.js). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** (attempt - 1), 3000);

export interface RedisClientOptions {
  logger?: Logger;
  /** BullMQ workers need `null` here; everything else fails fast after a few retries. */
  maxRetriesPerRequest?: number | null;
  lazyConnect?: boolean;
  name?: string;
}

export function createRedis(url: string, opts: RedisClientOptions = {}): Redis {
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 3 : opts.maxRetriesPerRequest,
    lazyConnect: opts.lazyConnect ?? false,
    connectionName: opts.name,
  };
  const client = new Redis(url, options);
  const log = opts.logger?.child({ redis: opts.name ?? 'main' });
  if (log) {
    // Attempts since the last ready connection, so an outage reads as attempt 1, 2, 3... in the logs.
    let attempt = 0;
    client.on('connect', () => log.debug('redis connected'));
    client.on('ready', () => {
      attempt = 0;
      log.info('redis ready');
    });
    client.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
    // Also fires on a deliberate QUIT, hence info; an unplanned loss is followed by `reconnecting`.
    client.on('close', () => log.info('redis connection closed'));
    client.on('reconnecting', (delayMs: number) => {
      attempt += 1;
      log.warn({ attempt, delayMs }, 'redis reconnecting');
    });
    client.on('end', () => log.info('redis connection ended, no further reconnects'));
  } else {
    // An ioredis client without an error listener prints every reconnect failure to stderr.
    client.on('error', () => undefined);
  }
  return client;
}

/** Graceful disconnect: QUIT lets pending replies arrive; fall back to a hard close. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // Not connected (e.g. still retrying): QUIT would wait for a connection that may never come.
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
