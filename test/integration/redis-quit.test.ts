import { randomUUID } from 'node:crypto';
import { closeRedis, createRedis } from '../../src/kernel/redis/client';
import { eventually } from '../helpers/eventually';

describe('closing a Redis client', () => {
  it('lets a command already sent get its reply: a blocked BLPOP still receives the job pushed after close began', async () => {
    const closing = createRedis(process.env.TEST_REDIS_URL!, { name: 'test-closing' });
    const other = createRedis(process.env.TEST_REDIS_URL!, { name: 'test-other' });
    const key = `test-${randomUUID()}:queue`;
    try {
      await closing.ping();
      const popped = closing.blpop(key, 5).catch((err: Error) => `rejected: ${err.message}`);
      const closed = closeRedis(closing);
      await new Promise((r) => setTimeout(r, 200));
      await other.rpush(key, 'job-1');
      await closed;
      // A hard close drops the blocked command: it fails, and the job stays in the list unseen.
      expect(await popped).toEqual([key, 'job-1']);
      expect(await other.llen(key)).toBe(0);
      // The socket closes right after the QUIT reply.
      await eventually(async () => closing.status === 'end', 2000, 'the connection to end');
    } finally {
      await other.del(key);
      await closeRedis(other);
    }
  });

  it('a client that never connected closes at once and stops trying to connect', async () => {
    // Port 1 refuses connections, so the client is in its reconnect loop.
    const unreachable = createRedis('redis://127.0.0.1:1/0', { name: 'test-unreachable' });
    await new Promise((r) => setTimeout(r, 100));
    let attemptsAfterClose = 0;
    const started = Date.now();
    await closeRedis(unreachable);
    expect(Date.now() - started).toBeLessThan(1000);
    unreachable.on('reconnecting', () => attemptsAfterClose++);
    unreachable.on('connect', () => attemptsAfterClose++);
    // The backoff is still under 400 ms here, so a live reconnect loop would show within 1 s.
    await new Promise((r) => setTimeout(r, 1000));
    expect(attemptsAfterClose).toBe(0);
  });
});
