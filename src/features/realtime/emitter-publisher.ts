import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../../kernel/redis/client';
import { socketIoKey } from '../../kernel/redis/keys';
import { eventLogKeys } from './event-log';
import { envelope, logEventLua, numberedFor, publishOnceLua, splitRooms } from './envelope';
import {
  type PublishOptions,
  type EventName,
  type EventPublisher,
  type ServerEvents,
  type ServerToClientEvents,
} from './events';

/**
 * Marks the event id published and publishes, atomically: a relay that dies after this and
 * delivers the row again publishes nothing the second time, and one that dies before it loses
 * nothing. The mark lives for the TTL (a week by default), longer than any redelivery.
 */
const PUBLISH_ONCE = publishOnceLua('PUBLISH');

/**
 * Once per event and user: the event joins the user's bounded log (catch-up) and is published,
 * in one step, so a client never finds in the log an event that was not sent, nor the reverse.
 */
const PUBLISH_LOGGED = `
if KEYS[1] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return -1 end
${logEventLua('KEYS[2]', 'KEYS[3]')}
return redis.call('PUBLISH', ARGV[5], ARGV[6])`;

type Send = (channel: string, message: Buffer | string) => Promise<unknown>;

/**
 * Publishes through @socket.io/redis-emitter (one Redis server; on a cluster: ShardedEventPublisher,
 * with the same envelope): a PUBLISH on the classic Redis adapter's channel
 * (`<key>#/#` or `<key>#/#<room>#`) that every Socket.IO server with the adapter on the same key
 * delivers to its local sockets. Works from any process, with or without a Socket.IO server;
 * API processes use it too, so there is one delivery path.
 *
 * Every event carries the envelope (`envelope.ts`): `eventId`, and `currency` and `scale` on money
 * events. An event to a user's room also carries `seq`, that user's next number, and is kept in
 * the user's bounded log for GET /events?after=<seq>.
 *
 * The emitter fires PUBLISH and forgets the reply, so a Redis outage would surface as an
 * unhandled rejection (which ends a Node process). Here the emitter is handed a client whose
 * `publish` records the reply, and `publish()` awaits it: the caller gets the error (an activity
 * retries) and nothing is left unhandled.
 */
export class RedisEmitterPublisher implements EventPublisher {
  private readonly emitter: Emitter<ServerToClientEvents>;
  private lastReply: Promise<unknown> | undefined;
  private send: Send | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly onceTtlSeconds = 7 * 24 * 3600,
    /** Events kept per user for catch-up. */
    private readonly logSize = 1000,
  ) {
    const client = {
      publish: (channel: string, message: Buffer | string) =>
        (this.lastReply = (this.send ?? ((c, m) => redis.publish(c, m)))(channel, message)),
    };
    this.emitter = new Emitter<ServerToClientEvents>(client, {
      key: socketIoKey({ REDIS_PREFIX: redisPrefix, REDIS_CLUSTER_NODES: [] }),
    });
  }

  /** emit() is synchronous up to the PUBLISH call, so lastReply is this event's reply. */
  private async emitWith(send: Send, rooms: string[], event: string, payload: unknown): Promise<unknown> {
    this.lastReply = undefined;
    this.send = send;
    try {
      (this.emitter.to(rooms).emit as (ev: string, ...args: unknown[]) => boolean)(event, payload);
    } finally {
      this.send = undefined;
    }
    return this.lastReply;
  }

  async publish<E extends EventName>(
    rooms: string | string[],
    event: E,
    payload: ServerEvents[E],
    options: PublishOptions = {},
  ): Promise<void> {
    const { shared, users } = splitRooms(rooms);
    if (shared.length + users.length === 0) return; // no rooms would mean "everyone"
    const base = envelope(event, payload, options);
    const ttl = String(this.onceTtlSeconds);
    if (shared.length) {
      const onceKey = options.onceId ? `${this.redisPrefix}:event-published:${options.onceId}` : undefined;
      await this.emitWith(
        (channel, message) =>
          onceKey
            ? this.redis.eval(PUBLISH_ONCE, 1, onceKey, ttl, channel, message)
            : this.redis.publish(channel, message),
        shared,
        event,
        base,
      );
    }
    for (const { room, userId } of users) {
      const k = eventLogKeys({ REDIS_PREFIX: this.redisPrefix, REDIS_CLUSTER_NODES: [] }, userId);
      const { seq, numbered, logEntry: logged } = await numberedFor(this.redis, k, event, base, this.onceTtlSeconds);
      const onceKey = options.onceId ? `${this.redisPrefix}:event-published:${options.onceId}:${userId}` : '';
      await this.emitWith(
        (channel, message) =>
          this.redis.eval(
            PUBLISH_LOGGED,
            3,
            onceKey,
            k.log,
            k.seq,
            ttl,
            String(seq),
            logged,
            String(this.logSize),
            channel,
            message,
          ),
        [room],
        event,
        numbered,
      );
    }
  }
}
