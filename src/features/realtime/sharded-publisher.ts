import type { RedisClient } from '../../kernel/redis/client';
import type { EventName, EventPublisher, PublishOptions, ServerEvents } from './events';

/**
 * The same "mark once, then publish" as RedisEmitterPublisher's script, with SPUBLISH. On a
 * cluster a script may only touch one slot: the mark's key carries the channel's hash tag
 * (socketIoKey), so both live on the shard that owns the channel.
 */
const SPUBLISH_ONCE = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('SPUBLISH', ARGV[2], ARGV[3])
end
return -1`;

// Values of socket.io-adapter 2.5's ClusterAdapter MessageType.BROADCAST and socket.io-parser's
// PacketType.EVENT, the format @socket.io/redis-adapter's sharded adapter reads (JSON when the
// message starts with "{").
const BROADCAST = 3;
const EVENT = 2;
/** Not a server's uid (those are random hex), so every server delivers the message. */
const PUBLISHER_UID = 'event-publisher';

/**
 * Publishes to the sharded Socket.IO adapter (createShardedAdapter, subscriptionMode "static")
 * that API instances use on a Redis Cluster. @socket.io/redis-emitter 5.1 only speaks the
 * classic adapter's PUBLISH format, so this writes the sharded adapter's BROADCAST message
 * itself and SPUBLISHes it on the namespace channel `<key>#/#` every instance subscribes to.
 */
export class ShardedEventPublisher implements EventPublisher {
  private readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly onceTtlSeconds = 7 * 24 * 3600,
  ) {
    this.channel = `${key}#/#`;
  }

  async publish<E extends EventName>(
    rooms: string | string[],
    event: E,
    payload: ServerEvents[E],
    options: PublishOptions = {},
  ): Promise<void> {
    const list = Array.isArray(rooms) ? rooms : [rooms];
    if (list.length === 0) return; // no rooms would mean "everyone"
    const message = JSON.stringify({
      uid: PUBLISHER_UID,
      nsp: '/',
      type: BROADCAST,
      data: {
        packet: { type: EVENT, data: [event, payload], nsp: '/' },
        opts: { rooms: list, except: [], flags: {} },
      },
    });
    if (options.onceId) {
      const onceKey = `${this.key}:event-published:${options.onceId}`;
      await this.redis.eval(SPUBLISH_ONCE, 1, onceKey, String(this.onceTtlSeconds), this.channel, message);
    } else {
      await this.redis.spublish(this.channel, message);
    }
  }
}
