import { createRedis } from '../../src/kernel/redis/client';

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
});
