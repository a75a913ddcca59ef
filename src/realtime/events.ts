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
    status: string;
    openPrice: number;
    closePrice: number | null;
    payout: number;
    at: string;
  };
  'wallet:balance': { userId: string; balance: number; at: string };
  'aml:frozen': { userId: string; reason: string; caseId: string; at: string };
  'aml:unfrozen': { userId: string; caseId: string; at: string };
  'arbitrage:opportunity': Record<string, unknown>;
  'queue:metrics': Record<string, unknown>;
  'admin:alert': { kind: string; message: string; subject?: string; at: string };
}

export type EventName = keyof ServerEvents;

export const userRoom = (userId: string) => `user:${userId}`;
export const ADMINS_ROOM = 'admins';
export const ARBITRAGE_ROOM = 'arbitrage';

/** Publishes to rooms on every API instance. Used by API code, activities and queue workers alike. */
export interface EventPublisher {
  publish<E extends EventName>(rooms: string | string[], event: E, payload: ServerEvents[E]): Promise<void>;
}

/** Socket.IO's Redis channel prefix, shared by the adapter (servers) and the emitter (publishers). */
export const socketIoChannelKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;
