import type { RedisClient } from '../../kernel/redis/client';
import { socketIoKey, type KeyConfig } from '../../kernel/redis/keys';
import { envelope, logEventLua, numberedFor, publishOnceLua, splitRooms } from './envelope';
import { eventLogKeys } from './event-log';
import type { EventName, EventPublisher, PublishOptions, ServerEvents } from './events';

/**
 * The same "mark once, then publish" as RedisEmitterPublisher's script, with SPUBLISH. On a
 * cluster a script may only touch one slot: the mark's key carries the channel's hash tag
 * (socketIoKey), so both live on the shard that owns the channel.
 */
const SPUBLISH_ONCE = publishOnceLua('SPUBLISH');

/**
 * The event joins the user's bounded catch-up log (the user's slot). A script may not SPUBLISH to
 * a channel of another slot, so logging and publishing are two steps here: the log first (ZADD of
 * the same entry again is a no-op, so a redelivery after a crash between them only publishes).
 */
const LOG = `${logEventLua('KEYS[1]', 'KEYS[2]')}
return 1`;

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
 * Events carry the same envelope as RedisEmitterPublisher's (`envelope.ts`): `eventId`, `seq`
 * and the catch-up log on user rooms, `currency` and `scale` on money events.
 */
export class ShardedEventPublisher implements EventPublisher {
  private readonly key: string;
  private readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeyConfig,
    private readonly onceTtlSeconds = 7 * 24 * 3600,
    /** Events kept per user for catch-up. */
    private readonly logSize = 1000,
  ) {
    this.key = socketIoKey(keys);
    this.channel = `${this.key}#/#`;
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
    if (shared.length) await this.send(shared, event, base, options.onceId);
    for (const { room, userId } of users) {
      const k = eventLogKeys(this.keys, userId);
      const { seq, numbered, logEntry } = await numberedFor(this.redis, k, event, base, this.onceTtlSeconds);
      await this.redis.eval(
        LOG,
        2,
        k.log,
        k.seq,
        String(this.onceTtlSeconds),
        String(seq),
        logEntry,
        String(this.logSize),
      );
      await this.send([room], event, numbered, options.onceId && `${options.onceId}:${userId}`);
    }
  }

  /** One BROADCAST message to the rooms; with a once-id, at most once (mark and SPUBLISH in one script). */
  private async send(rooms: string[], event: string, payload: unknown, onceId: string | undefined): Promise<void> {
    const message = JSON.stringify({
      uid: PUBLISHER_UID,
      nsp: '/',
      type: BROADCAST,
      data: {
        packet: { type: EVENT, data: [event, payload], nsp: '/' },
        opts: { rooms, except: [], flags: {} },
      },
    });
    if (onceId) {
      const onceKey = `${this.key}:event-published:${onceId}`;
      await this.redis.eval(SPUBLISH_ONCE, 1, onceKey, String(this.onceTtlSeconds), this.channel, message);
    } else {
      await this.redis.spublish(this.channel, message);
    }
  }
}
