/**
 * Global setup of `npm run test:redis-cluster`: the usual services (global-setup.ts), plus a
 * private three-master Redis Cluster whose nodes the tests get as TEST_REDIS_CLUSTER_NODES
 * (test/helpers/context.ts and childEnv turn it into REDIS_CLUSTER_NODES).
 */
import globalSetup from './global-setup';
import { startRedisCluster } from './helpers/redis-cluster';

export default async function redisClusterSetup(): Promise<void> {
  await globalSetup();
  const cluster = await startRedisCluster(3);
  (globalThis as { __redisCluster?: typeof cluster }).__redisCluster = cluster;
  process.env.TEST_REDIS_CLUSTER_NODES = cluster.nodes.join(',');
}
