import type { RedisClient } from '../../kernel/redis/client';
import type { Logger } from '../../kernel/logger';
import { ADMINS_ROOM, type EventPublisher } from './events';

export interface QueueMetricsBroadcastDeps {
  redis: RedisClient;
  redisPrefix: string;
  events: EventPublisher;
  logger: Logger;
  intervalMs: number;
  collect: () => Promise<Record<string, unknown>>;
}

/**
 * Publishes `queue:metrics` to `admins` every `intervalMs` — once per interval for the whole
 * deployment, not once per API instance. Every instance ticks; the one whose `SET NX PX` on the
 * interval's slot key succeeds collects and publishes. No leader, nothing in process memory: an
 * instance that dies simply stops competing. The payload carries the slot number (clients can
 * drop a repeat). Returns the stop function.
 */
export function startQueueMetricsBroadcast(deps: QueueMetricsBroadcastDeps): () => Promise<void> {
  const tick = async () => {
    const slot = Math.floor(Date.now() / deps.intervalMs);
    const key = `${deps.redisPrefix}:rt:queue-metrics:${slot}`;
    const won = await deps.redis.set(key, '1', 'PX', deps.intervalMs * 2, 'NX');
    if (won !== 'OK') return;
    const metrics = await deps.collect();
    await deps.events.publish(ADMINS_ROOM, 'queue:metrics', { ...metrics, slot });
  };
  let current: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    current ??= tick()
      .catch((err: Error) => deps.logger.warn({ err: err.message }, 'queue:metrics broadcast failed'))
      .finally(() => (current = undefined));
  }, deps.intervalMs);
  timer.unref();
  // Stopping waits for a tick in flight, so its Redis and Temporal calls end before those close.
  return async () => {
    clearInterval(timer);
    await current;
  };
}
