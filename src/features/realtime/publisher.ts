import type { RedisClient } from '../../kernel/redis/client';
import type { KeyConfig } from '../../kernel/redis/keys';
import { RedisEmitterPublisher } from './emitter-publisher';
import type { EventPublisher } from './events';
import { ShardedEventPublisher } from './sharded-publisher';

/** The publisher matching the adapter the API instances run: classic on one server, sharded on a cluster. */
export function eventPublisherFor(redis: RedisClient, config: KeyConfig): EventPublisher {
  return config.REDIS_CLUSTER_NODES.length > 0
    ? new ShardedEventPublisher(redis, config)
    : new RedisEmitterPublisher(redis, config.REDIS_PREFIX);
}
