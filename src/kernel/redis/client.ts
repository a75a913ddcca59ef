import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** A single-node client or a Redis Cluster client: the commands this project uses exist on both. */
export type RedisClient = Redis | Cluster;

/** Exponential backoff from 50 ms, capped at 3 s (seed: redis.client.js). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** (attempt - 1), 3000);

/** Where Redis is: one server (REDIS_URL) or, when REDIS_CLUSTER_NODES is set, a cluster. */
export interface RedisConnection {
  url: string;
  /** host:port seed nodes; empty means single-node. */
  clusterNodes: string[];
}

export const redisConnection = (config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): RedisConnection => ({
  url: config.REDIS_URL,
  clusterNodes: config.REDIS_CLUSTER_NODES,
});

export const isCluster = (connection: RedisConnection): boolean => connection.clusterNodes.length > 0;

export interface RedisClientOptions {
  logger?: Logger;
  /** BullMQ workers need `null` here; everything else fails fast after a few retries. */
  maxRetriesPerRequest?: number | null;
  lazyConnect?: boolean;
  name?: string;
  /**
   * Cluster only: one subscriber connection per master, so SSUBSCRIBE reaches the shard that owns
   * the channel's slot (the sharded Socket.IO adapter's subscriber needs it).
   */
  shardedSubscribers?: boolean;
}

/**
 * The one Redis client factory: single-node from a URL, or a cluster client when the connection
 * names cluster nodes. Every Redis user receives a client made here.
 */
export function createRedis(where: string, opts?: RedisClientOptions): Redis;
export function createRedis(where: RedisConnection, opts?: RedisClientOptions): RedisClient;
export function createRedis(where: string | RedisConnection, opts: RedisClientOptions = {}): RedisClient {
  const options: RedisOptions = {
    retryStrategy: reconnectDelay,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 3 : opts.maxRetriesPerRequest,
    lazyConnect: opts.lazyConnect ?? false,
    connectionName: opts.name,
  };
  const client: RedisClient =
    typeof where === 'string' || !isCluster(where)
      ? new Redis(typeof where === 'string' ? where : where.url, options)
      : new Cluster(where.clusterNodes.map(parseNode), clusterOptions(options, opts));
  const log = opts.logger?.child({ redis: opts.name ?? 'main' });
  if (log) {
    // Attempts since the last ready connection, so an outage reads as attempt 1, 2, 3... in the logs.
    let attempt = 0;
    client.on('connect', () => log.debug('redis connected'));
    client.on('ready', () => {
      attempt = 0;
      log.info('redis ready');
    });
    client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
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

function parseNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

function clusterOptions(node: RedisOptions, opts: RedisClientOptions): ClusterOptions {
  const { retryStrategy: _perNode, lazyConnect, ...redisOptions } = node;
  return {
    // The cluster client reconnects as a whole (re-reading the slot map); per-node retries would
    // keep hammering a node that failed over.
    clusterRetryStrategy: reconnectDelay,
    lazyConnect,
    redisOptions,
    shardedSubscribers: opts.shardedSubscribers ?? false,
  };
}

/** Graceful disconnect: QUIT lets pending replies arrive; fall back to a hard close. */
export async function closeRedis(client: RedisClient): Promise<void> {
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
