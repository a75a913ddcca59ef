import globalTeardown from './global-teardown';
import { stopRedisCluster, type LocalRedisCluster } from './helpers/redis-cluster';

/** Stops the cluster global-setup-redis-cluster.ts started, then what global-setup started. */
export default async function redisClusterTeardown(): Promise<void> {
  const cluster = (globalThis as { __redisCluster?: LocalRedisCluster }).__redisCluster;
  if (cluster) stopRedisCluster(cluster);
  await globalTeardown();
}
