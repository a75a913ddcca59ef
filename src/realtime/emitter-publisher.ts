import { Emitter } from '@socket.io/redis-emitter';
import type Redis from 'ioredis';
import { socketIoChannelKey, type EventName, type EventPublisher, type ServerEvents } from './events';

/**
 * Publishes through @socket.io/redis-emitter: a PUBLISH on the adapter's channel that every
 * Socket.IO server (with the Redis adapter on the same key) delivers to its local sockets.
 * Works from any process, with or without a Socket.IO server.
 */
export class RedisEmitterPublisher implements EventPublisher {
  private readonly emitter: Emitter;

  constructor(redis: Redis, redisPrefix: string) {
    this.emitter = new Emitter(redis, { key: socketIoChannelKey(redisPrefix) });
  }

  async publish<E extends EventName>(rooms: string | string[], event: E, payload: ServerEvents[E]): Promise<void> {
    this.emitter.to(rooms).emit(event, payload);
  }
}
