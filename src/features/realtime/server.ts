import type { Server as HttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { RedisClient } from '../../kernel/redis/client';
import { decodeJwt } from 'jose';
import { Server, type Socket } from 'socket.io';
import type { Principal, TokenService } from '../auth/tokens';
import type { Config } from '../../kernel/config';
import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/logger';
import { closeRedis, createRedis, isCluster, type RedisConnection } from '../../kernel/redis/client';
import { socketIoKey } from '../../kernel/redis/keys';
import { type ClientToServerEvents, type RoomAck, type ServerToClientEvents } from './events';
import { RedisRateLimiter } from './rate-limit';
import { assignedRooms, decideRoomRequest } from './rooms';

export type SocketData = Principal;
export type RealtimeIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export type RealtimeConfig = Pick<
  Config,
  | 'REDIS_PREFIX'
  | 'REDIS_CLUSTER_NODES'
  | 'INSTANCE_ID'
  | 'SOCKET_IO_POLLING'
  | 'SOCKET_IO_CORS_ORIGINS'
  | 'SOCKET_IO_PING_INTERVAL_MS'
  | 'SOCKET_IO_PING_TIMEOUT_MS'
  | 'SOCKET_CONNECT_LIMIT'
  | 'SOCKET_ROOM_REQUEST_LIMIT'
  | 'SOCKET_RATE_WINDOW_MS'
>;

export interface RealtimeDeps {
  config: RealtimeConfig;
  logger: Logger;
  /** The process's configured Redis client (rate-limit counters). */
  redis: RedisClient;
  /** Where that client connects: the adapter opens its own publish and subscribe clients there. */
  connection: RedisConnection;
  tokens: TokenService;
  /** Told of each accepted connection; the function it returns is called when that socket disconnects. */
  onConnection?: () => () => void;
}

export interface RealtimeServer {
  io: RealtimeIo;
  instance: string;
  /**
   * Graceful stop of this instance's Socket.IO side: refuse new connections, disconnect the local
   * sockets (clients reconnect through the load balancer to another instance), unsubscribe the
   * adapter and close its Redis clients. Leaves the HTTP server to its own closer. Idempotent.
   */
  disconnectSocket(): Promise<void>;
}

/** The error a refused connection gets: `connect_error` with this message and `data.code` on the client. */
function refusal(code: string, message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}

const refuse = (code: string, message: string): RoomAck => ({ ok: false, error: { code, message } });

/**
 * Attaches Socket.IO to an API instance's HTTP server, with a Redis adapter on
 * `socketIoKey(config)` — the same key the event publishers use — so an event published by any
 * process reaches the room's sockets on every instance exactly once. One server: the classic
 * adapter (PUBLISH/SUBSCRIBE). Redis Cluster: the sharded adapter (SPUBLISH/SSUBSCRIBE, Redis 7),
 * because a classic PUBLISH on a cluster is copied to every node over the cluster bus.
 *
 * Connections authenticate with the access token in the handshake (`auth.token`). Each socket is
 * put in `user:<id>`; ADMIN/MASTER also in `admins`; `arbitrage` on request (`room:join`).
 * Nothing another instance needs lives in this process: rooms are per local socket and the rate
 * limits are Redis counters shared by all instances.
 */
export function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps): RealtimeServer {
  const { config, tokens } = deps;
  // Clients see an operator-chosen name or a random one, never the host name and process id.
  const instance = config.INSTANCE_ID ?? `api-${randomBytes(4).toString('hex')}`;
  const log = deps.logger.child({ component: 'socket.io', instance, host: hostname(), pid: process.pid });

  // No per-request retry limit: while Redis is away the adapter's (p)subscribe and publish wait for
  // the reconnect instead of rejecting unhandled inside the adapter.
  const sharded = isCluster(deps.connection);
  const key = socketIoKey(config);
  const pubClient = createRedis(deps.connection, { name: 'socket.io-pub', maxRetriesPerRequest: null });
  const subClient = createRedis(deps.connection, {
    name: 'socket.io-sub',
    maxRetriesPerRequest: null,
    shardedSubscribers: sharded,
  });
  for (const client of [pubClient, subClient]) {
    client.on('error', (err: Error) => log.warn({ err: err.message }, 'socket.io redis error'));
    settleAdapterCommands(client, (err) => log.debug({ err: err.message }, 'socket.io redis command dropped'));
  }

  let closing = false;
  const io: RealtimeIo = new Server(httpServer, {
    serveClient: false,
    transports: config.SOCKET_IO_POLLING ? ['polling', 'websocket'] : ['websocket'],
    pingInterval: config.SOCKET_IO_PING_INTERVAL_MS,
    pingTimeout: config.SOCKET_IO_PING_TIMEOUT_MS,
    // Clients only send room requests; a large frame is an abuse, not a request.
    maxHttpBufferSize: 16 * 1024,
    cors: config.SOCKET_IO_CORS_ORIGINS.length ? { origin: config.SOCKET_IO_CORS_ORIGINS } : undefined,
    // While shutting down, refuse at the transport level: the client treats that as a network
    // failure and reconnects (through the load balancer, elsewhere). A middleware refusal would
    // not be retried by the client.
    allowRequest: (_req, callback) => callback(closing ? 'server shutting down' : null, !closing),
    adapter: sharded
      ? // Static: one channel per namespace, the one ShardedEventPublisher publishes on.
        createShardedAdapter(pubClient, subClient, { channelPrefix: key, subscriptionMode: 'static' })
      : createAdapter(pubClient, subClient, { key, requestsTimeout: 5000 }),
  });

  const limiter = new RedisRateLimiter(deps.redis, `${config.REDIS_PREFIX}:rt:rate`, config.SOCKET_RATE_WINDOW_MS);
  io.use(async (socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token === '') {
      return next(refusal('UNAUTHENTICATED', 'authentication required: send the access token as auth.token'));
    }
    let principal: Principal;
    try {
      principal = await tokens.verify(token);
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'invalid token';
      return next(refusal('UNAUTHENTICATED', message));
    }
    try {
      if (!(await limiter.hit(`connect:${principal.userId}`, config.SOCKET_CONNECT_LIMIT))) {
        return next(refusal('RATE_LIMITED', 'too many connection attempts, retry later'));
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rate limiter unavailable');
      return next(refusal('UNAVAILABLE', 'temporarily unavailable, retry later'));
    }
    socket.data = principal;
    // The connection lives no longer than the token that opened it.
    const exp = decodeJwt(token).exp;
    if (exp !== undefined) {
      const timer = setTimeout(
        () => socket.disconnect(true),
        Math.min(Math.max(exp * 1000 - Date.now(), 0), 2 ** 31 - 1),
      );
      timer.unref();
      socket.once('disconnect', () => clearTimeout(timer));
    }
    next();
  });

  io.on('connection', (socket: RealtimeSocket) => {
    const principal = socket.data;
    const { userId, role } = principal;
    void socket.join(assignedRooms(principal));
    const rooms = () => [...socket.rooms].filter((r) => r !== socket.id).sort();
    log.debug({ userId, role, sid: socket.id }, 'socket connected');
    const ended = deps.onConnection?.();
    if (ended) socket.once('disconnect', ended);
    socket.emit('session:ready', { userId, role, rooms: rooms(), instance });

    const handleRoom =
      (action: 'join' | 'leave') =>
      async (room: unknown, ack?: unknown): Promise<void> => {
        const reply = (answer: RoomAck) => {
          if (typeof ack === 'function') (ack as (a: RoomAck) => void)(answer);
        };
        try {
          if (!(await limiter.hit(`rooms:${userId}`, config.SOCKET_ROOM_REQUEST_LIMIT))) {
            return reply(refuse('RATE_LIMITED', 'too many room requests, retry later'));
          }
        } catch {
          return reply(refuse('UNAVAILABLE', 'temporarily unavailable, retry later'));
        }
        const decision = decideRoomRequest(principal, action, room);
        if (decision.kind === 'refuse') {
          log.info({ userId, room, action, code: decision.code }, 'room request refused');
          return reply(refuse(decision.code, decision.message));
        }
        if (decision.kind === 'join') await socket.join(decision.room);
        if (decision.kind === 'leave') await socket.leave(decision.room);
        return reply({ ok: true, rooms: rooms() });
      };
    socket.on('room:join', handleRoom('join'));
    socket.on('room:leave', handleRoom('leave'));
    socket.on('disconnect', (reason) => log.debug({ userId, sid: socket.id, reason }, 'socket disconnected'));
  });

  let stopping: Promise<void> | undefined;
  const disconnectSocket = () => {
    stopping ??= (async () => {
      closing = true;
      // Close the transports of this instance's connections. Clients see "transport close" and
      // reconnect by themselves (through the load balancer, to another instance); a Socket.IO
      // DISCONNECT packet (socket.disconnect()) would tell them not to. And io.disconnectSockets()
      // would go through the adapter to every instance.
      io.engine.close();
      await io.of('/').adapter.close();
      await Promise.all([closeRedis(pubClient), closeRedis(subClient)]);
      log.info('socket.io closed');
    })();
    return stopping;
  };

  log.info({ key, sharded, transports: io.engine.opts.transports }, 'socket.io attached');
  return { io, instance, disconnectSocket };
}

/**
 * The adapter issues (s|p)subscribe and (s)publish without awaiting them. A command still queued
 * while Redis is away is rejected ("Connection is closed") when the instance shuts down, and an
 * un-awaited rejection would end the process; this gives each such promise a handler while
 * leaving it, and its rejection, to whoever does await it.
 */
function settleAdapterCommands(client: RedisClient, dropped: (err: Error) => void): void {
  const commands = ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'publish'] as const;
  const sharded = ['ssubscribe', 'sunsubscribe', 'spublish'] as const;
  for (const name of [...commands, ...sharded]) {
    const command = (client[name] as (...args: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const reply = command(...args);
      reply.catch(dropped);
      return reply;
    };
  }
}
