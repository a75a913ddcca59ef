import { Emitter } from '@socket.io/redis-emitter';
import type { RedisClient } from '../../kernel/redis/client';
import { socketIoKey } from '../../kernel/redis/keys';
/**
 * Marks the event id published and publishes, atomically: a relay that dies after this and
 * delivers the row again publishes nothing the second time, and one that dies before it loses
 * nothing. The mark lives for the TTL (a week by default), longer than any redelivery.
 */
const PUBLISH_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return -1`;

import {
  type PublishOptions,
  type EventName,
  type EventPublisher,
  type ServerEvents,
  type ServerToClientEvents,
} from './events';

/**
 * Publishes through @socket.io/redis-emitter (one Redis server; on a cluster: ShardedEventPublisher): a PUBLISH on the classic Redis adapter's channel
 * (`<key>#/#` or `<key>#/#<room>#`) that every Socket.IO server with the adapter on the same key
 * delivers to its local sockets. Works from any process, with or without a Socket.IO server;
 * API processes use it too, so there is one delivery path.
 *
 * The emitter fires PUBLISH and forgets the reply, so a Redis outage would surface as an
 * unhandled rejection (which ends a Node process). Here the emitter is handed a client whose
 * `publish` records the reply, and `publish()` awaits it: the caller gets the error (an activity
 * retries) and nothing is left unhandled.
 */
export class RedisEmitterPublisher implements EventPublisher {
  private readonly emitter: Emitter<ServerToClientEvents>;
  private lastReply: Promise<unknown> | undefined;
  private onceKey: string | undefined;

  constructor(
    redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly onceTtlSeconds = 7 * 24 * 3600,
  ) {
    const client = {
      publish: (channel: string, message: Buffer | string) =>
        (this.lastReply = this.onceKey
          ? redis.eval(PUBLISH_ONCE, 1, this.onceKey, String(this.onceTtlSeconds), channel, message)
          : redis.publish(channel, message)),
    };
    this.emitter = new Emitter<ServerToClientEvents>(client, {
      key: socketIoKey({ REDIS_PREFIX: redisPrefix, REDIS_CLUSTER_NODES: [] }),
    });
  }

  async publish<E extends EventName>(
    rooms: string | string[],
    event: E,
    payload: ServerEvents[E],
    options: PublishOptions = {},
  ): Promise<void> {
    if (Array.isArray(rooms) && rooms.length === 0) return; // no rooms would mean "everyone"
    this.lastReply = undefined;
    this.onceKey = options.onceId ? `${this.redisPrefix}:event-published:${options.onceId}` : undefined;
    // emit() is synchronous up to the PUBLISH call, so lastReply is this event's reply.
    (this.emitter.to(rooms).emit as (ev: string, ...args: unknown[]) => boolean)(event, payload);
    const reply = this.lastReply;
    await reply;
  }
}
