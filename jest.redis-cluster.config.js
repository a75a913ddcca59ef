/**
 * `npm run test:redis-cluster`: the integration tests that use Redis, run against a private
 * three-master Redis Cluster (REDIS_CLUSTER_NODES set) instead of one server.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: [
    // Key placement on the cluster: locks, BullMQ, sharded live events.
    '<rootDir>/test/redis-cluster/cluster.test.ts',
    // Locks and their fencing counters.
    '<rootDir>/test/integration/distributed-lock.test.ts',
    // BullMQ queues (email: producer, worker, rate limiter, metrics).
    '<rootDir>/test/integration/email-queue.test.ts',
    // Rate limits and the login lock (rate-limiter-flexible on the cluster client).
    '<rootDir>/test/integration/throttle.test.ts',
    // Socket.IO across API processes: the sharded adapter and the sharded event publisher.
    '<rootDir>/test/integration/realtime.test.ts',
    // The event envelope (eventId, per-user seq, currency, scale) and catch-up on the sharded publisher.
    '<rootDir>/test/integration/realtime-catch-up.test.ts',
    // Idempotency keys, trade locks and live events of binary options.
    '<rootDir>/test/integration/binary.test.ts',
  ],
  globalSetup: '<rootDir>/test/global-setup-redis-cluster.ts',
  globalTeardown: '<rootDir>/test/global-teardown-redis-cluster.ts',
};
