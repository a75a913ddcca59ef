import type { RedisClient } from '../../kernel/redis/client';
import type { KeyConfig } from '../../kernel/redis/keys';

/**
 * Per user, the live events published to `user:<id>`, by sequence number: a sorted set scored by
 * `seq`, bounded to the newest `maxEvents` and expiring `ttlSeconds` after the last event. A
 * client that was disconnected asks for what follows the last `seq` it saw (GET /events?after=).
 */
export const eventLogKeys = (config: KeyConfig, userId: string) => {
  // On a cluster the user's keys share a hash tag (one slot): the publishers' scripts touch several.
  const user = config.REDIS_CLUSTER_NODES.length > 0 ? `{${userId}}` : userId;
  const p = config.REDIS_PREFIX;
  return {
    seq: `${p}:events:seq:${user}`,
    log: `${p}:events:log:${user}`,
    /** The seq given to one event for this user, so a redelivered event keeps its number. */
    seqOf: (eventId: string) => `${p}:events:seq-of:${user}:${eventId}`,
  };
};
export type EventLogKeys = ReturnType<typeof eventLogKeys>;

export interface LoggedEvent {
  event: string;
  payload: Record<string, unknown> & { seq: number; eventId: string };
}

export interface EventLogPage {
  events: LoggedEvent[];
  /** The newest seq assigned to this user (0: none yet). */
  lastSeq: number;
  /**
   * True when events after `after` were dropped from the bounded log before this read: the
   * client missed more than it can catch up on and should reload its state from the API.
   */
  truncated: boolean;
}

export class EventLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeyConfig,
  ) {}

  /** Events with seq > after, oldest first, at most `limit`. */
  async after(userId: string, after: number, limit: number): Promise<EventLogPage> {
    const k = eventLogKeys(this.keys, userId);
    const [rows, last, oldest] = await Promise.all([
      this.redis.zrangebyscore(k.log, `(${after}`, '+inf', 'LIMIT', 0, limit),
      this.redis.get(k.seq),
      this.redis.zrange(k.log, 0, 0, 'WITHSCORES'),
    ]);
    const lastSeq = Number(last ?? 0);
    const oldestSeq = oldest.length ? Number(oldest[1]) : lastSeq + 1;
    return {
      events: rows.map((r) => JSON.parse(r) as LoggedEvent),
      lastSeq,
      truncated: after < lastSeq && oldestSeq > after + 1,
    };
  }
}
