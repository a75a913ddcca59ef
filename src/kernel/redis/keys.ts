import type { Config } from '../config';

/**
 * Key names that work on one Redis server and on a Redis Cluster. A cluster puts each key in one
 * of 16384 slots by a hash of its name, or of the part in `{...}` (the hash tag) when there is
 * one; a Lua script, MULTI or multi-key command may only touch keys of one slot. Keys that such
 * commands use together therefore share a tag here. On a single server the names of existing
 * deployments stay as they were (queued jobs are not orphaned by an upgrade).
 */
export type KeyConfig = Pick<Config, 'REDIS_PREFIX' | 'REDIS_CLUSTER_NODES'>;

const clustered = (config: KeyConfig) => config.REDIS_CLUSTER_NODES.length > 0;

/**
 * BullMQ's `prefix`: its scripts touch several keys of a queue at once, so on a cluster every
 * key of a queue must share a slot. `{cb}` puts all queues of a deployment in one slot: few,
 * low-volume queues here; split them (one tag per queue) if one shard becomes the hot spot.
 */
export const bullPrefix = (config: KeyConfig): string =>
  clustered(config) ? `{${config.REDIS_PREFIX}}` : config.REDIS_PREFIX;

/**
 * The Socket.IO channel prefix (adapter and publishers). On a cluster the sharded adapter's
 * channels and the publisher's once-only marks share this tag, so publishing "at most once" stays
 * one atomic script on one shard.
 */
export const socketIoKey = (config: KeyConfig): string =>
  clustered(config) ? `{${config.REDIS_PREFIX}:socket.io}` : `${config.REDIS_PREFIX}:socket.io`;
