import type { RedisConnection } from '../../src/kernel/redis/client';

/**
 * The Redis the test run uses: global-setup's server (its test db), or the private cluster of
 * `npm run test:redis-cluster` when TEST_REDIS_CLUSTER_NODES is set.
 */
export const testRedisConnection = (): RedisConnection => ({
  url: process.env.TEST_REDIS_URL!,
  clusterNodes: (process.env.TEST_REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean),
});
