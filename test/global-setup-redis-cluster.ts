/**
 * Global setup of `npm run test:redis-cluster`: the usual services (global-setup.ts), plus a
 * private three-master Redis Cluster whose nodes the tests get as TEST_REDIS_CLUSTER_NODES
 * (test/helpers/context.ts and childEnv turn it into REDIS_CLUSTER_NODES).
 */
import globalSetup from './global-setup';
import globalTeardown from './global-teardown';
import { startRedisCluster } from './helpers/redis-cluster';

export default async function redisClusterSetup(): Promise<void> {
  await globalSetup();
  // startRedisCluster stops its own servers when it fails; the Temporal server is stopped here.
  const cluster = await startRedisCluster(3).catch(async (err: unknown) => {
    await globalTeardown();
    throw err;
  });
  (globalThis as { __redisCluster?: typeof cluster }).__redisCluster = cluster;
  process.env.TEST_REDIS_CLUSTER_NODES = cluster.nodes.join(',');
}
