import { outboxDeliveryId, type OutboxConsumer, type OutboxMessage } from '../../kernel/outbox';

/**
 * Every live event the system pushes, with its payload type, in one place. Rooms:
 * `user:<id>` (the owner), `admins` (ADMIN/MASTER), `arbitrage` (opt-in subscribers).
 */
export interface ServerEvents {
  'kyc:status': { userId: string; status: string; reason?: string | null; at: string };
  'binary:opened': {
    tradeId: string;
    userId: string;
    symbol: string;
    direction: string;
    stake: number;
    expiresAt: string;
  };
  'binary:resolved': {
    tradeId: string;
    userId: string;
    /** What was traded, so a client can show the result without looking the trade up. */
    symbol: string;
    direction: string;
    stake: number;
    status: string;
    openPrice: number;
    closePrice: number | null;
    payout: number;
    at: string;
  };
  'wallet:balance': { userId: string; balance: number; at: string };
  'aml:frozen': { userId: string; reason: string; caseId: string; at: string };
  'aml:unfrozen': { userId: string; caseId: string; at: string };
  /** A new AML case (features/aml/case-repository.ts), for the console's list. */
  'aml:case_opened': { caseId: string; userId: string; outcome: string; reason: string; at: string };
  'arbitrage:opportunity': Record<string, unknown>;
  'queue:metrics': Record<string, unknown>;
  'admin:alert': { kind: string; message: string; subject?: string; at: string };
}

export type EventName = keyof ServerEvents;

/**
 * What the publishers add to every event (envelope.ts): `eventId` always; `seq`, the
 * user's sequence number, on events to `user:<id>` (GET /events?after=<seq> returns what a client
 * missed); `currency` and `scale` on events whose numbers are money in minor units.
 */
export interface EventEnvelope {
  eventId: string;
  seq?: number;
  currency?: string;
  scale?: number;
}

/** What the server emits to a socket: every published event, plus the session greeting. */
export type ServerToClientEvents = { [E in EventName]: (payload: ServerEvents[E] & EventEnvelope) => void } & {
  /** Sent once per connection: who the server took the client to be, its rooms, and which instance it is on. */
  'session:ready': (session: SessionInfo) => void;
};

export interface SessionInfo {
  userId: string;
  role: string;
  rooms: string[];
  /**
   * The API instance holding this connection (INSTANCE_ID, else random per process); useful for
   * support and failover checks. Never the host name or process id.
   */
  instance: string;
}

/** Answer to a room request; a refusal says why. */
export type RoomAck = { ok: true; rooms: string[] } | { ok: false; error: { code: string; message: string } };

/** What a client may send: ask to join or leave an opt-in room (only `arbitrage` today). */
export interface ClientToServerEvents {
  'room:join': (room: string, ack?: (answer: RoomAck) => void) => void;
  'room:leave': (room: string, ack?: (answer: RoomAck) => void) => void;
}

export const userRoom = (userId: string) => `user:${userId}`;
export const ADMINS_ROOM = 'admins';
export const ARBITRAGE_ROOM = 'arbitrage';

/** Rooms a client may join or leave on request; `user:<id>` and `admins` are assigned by the server. */
export const OPT_IN_ROOMS: readonly string[] = [ARBITRAGE_ROOM];

/** Publishes to rooms on every API instance. Used by API code, activities and queue workers alike. */
export interface EventPublisher {
  publish<E extends EventName>(
    rooms: string | string[],
    event: E,
    payload: ServerEvents[E],
    options?: PublishOptions,
  ): Promise<void>;
}

export interface PublishOptions {
  /** Publish at most once per id (the outbox record's delivery id), however often this is called. */
  onceId?: string;
}

/** Outbox topic of live events: written with the change they announce, published by the relay. */
export const LIVE_EVENT_TOPIC = 'live-event';

interface LiveEventPayload {
  rooms: string[];
  event: EventName;
  data: Record<string, unknown>;
}

/** A live event as an outbox message (see kernel/outbox.ts). */
export function liveEvent<E extends EventName>(
  rooms: string | string[],
  event: E,
  data: ServerEvents[E],
  key?: string,
): OutboxMessage<LiveEventPayload> {
  return {
    topic: LIVE_EVENT_TOPIC,
    payload: { rooms: Array.isArray(rooms) ? rooms : [rooms], event, data: data as Record<string, unknown> },
    key,
  };
}

/**
 * Publishes a stored live event, once per outbox record even when the relay delivers the record
 * again (a relay that died between publishing and marking it delivered). Every event carries
 * `eventId`, so a client can also recognise it.
 */
export function liveEventConsumer(publisher: EventPublisher): OutboxConsumer {
  return async (record) => {
    const { rooms, event, data } = record.payload as LiveEventPayload;
    const eventId = outboxDeliveryId(record);
    await publisher.publish(rooms, event, { ...data, eventId } as never, { onceId: eventId });
  };
}
