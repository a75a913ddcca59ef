import { Cluster } from 'ioredis';
import { createRedis } from '../../src/kernel/redis/client';
import { bullPrefix, socketIoKey } from '../../src/kernel/redis/keys';

// lazyConnect: these clients never open a socket; only the options they were built with are read.
const clients: ReturnType<typeof createRedis>[] = [];
const client = (opts: Parameters<typeof createRedis>[1] = {}) => {
  const c = createRedis('redis://127.0.0.1:1/0', { lazyConnect: true, ...opts });
  clients.push(c);
  return c;
};
afterAll(() => clients.forEach((c) => c.disconnect()));

describe('Redis client options', () => {
  it('reconnects after 50, 100, 200, 400, 800, 1600 ms, then every 3 s', () => {
    const retry = client().options.retryStrategy;
    expect(typeof retry).toBe('function');
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((attempt) => retry!(attempt));
    expect(delays).toEqual([50, 100, 200, 400, 800, 1600, 3000, 3000, 3000, 3000]);
  });

  it('fails a command after 3 retries by default; BullMQ connections retry without limit', () => {
    expect(client().options.maxRetriesPerRequest).toBe(3);
    expect(client({ maxRetriesPerRequest: null }).options.maxRetriesPerRequest).toBeNull();
  });

  it('names the connection so CLIENT LIST shows which process holds it', () => {
    expect(client({ name: 'api-main' }).options.connectionName).toBe('api-main');
  });

  it('with cluster nodes, builds a cluster client on those seeds with the same per-command limits', () => {
    const cluster = createRedis(
      { url: 'redis://127.0.0.1:1/0', clusterNodes: ['127.0.0.1:7000', 'redis-b:7001'] },
      { lazyConnect: true, maxRetriesPerRequest: null, name: 'bullmq-workers' },
    );
    clients.push(cluster as never);
    expect(cluster).toBeInstanceOf(Cluster);
    const c = cluster as Cluster;
    expect((c as unknown as { startupNodes: unknown }).startupNodes).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(c.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null, connectionName: 'bullmq-workers' });
    expect(c.options.clusterRetryStrategy!(3)).toBe(200);
  });
});

describe('Redis key names', () => {
  const single = { REDIS_PREFIX: 'cb', REDIS_CLUSTER_NODES: [] };
  const cluster = { REDIS_PREFIX: 'cb', REDIS_CLUSTER_NODES: ['127.0.0.1:7000'] };

  it('keep the single-server names of existing deployments', () => {
    expect(bullPrefix(single)).toBe('cb');
    expect(socketIoKey(single)).toBe('cb:socket.io');
  });

  it('hash-tag BullMQ and Socket.IO keys on a cluster', () => {
    expect(bullPrefix(cluster)).toBe('{cb}');
    expect(socketIoKey(cluster)).toBe('{cb:socket.io}');
  });
});
