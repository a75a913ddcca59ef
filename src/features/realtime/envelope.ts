import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../kernel/redis/client';
import { MONEY_CURRENCY, MONEY_SCALE } from '../../kernel/money';
import type { EventLogKeys } from './event-log';
import type { EventEnvelope, EventName, PublishOptions } from './events';

/** Events whose numbers are money in minor units: they say in which currency and at which scale. */
const MONEY_EVENTS: readonly EventName[] = ['binary:opened', 'binary:resolved', 'wallet:balance'];
const USER_ROOM = /^user:(.+)$/;

/** The user a `user:<id>` room belongs to, else undefined (shared rooms such as `admins`). */
export const userOfRoom = (room: string): string | undefined => USER_ROOM.exec(room)?.[1];

/**
 * What every publisher sends for an event before numbering: the payload, its `eventId` (the
 * payload's own, else the once-id, else a new one) and, on money events, `currency` and `scale`.
 */
export function envelope(
  event: EventName,
  payload: unknown,
  options: PublishOptions,
): Record<string, unknown> & EventEnvelope {
  const eventId = (payload as { eventId?: string }).eventId ?? options.onceId ?? randomUUID();
  return {
    ...(payload as Record<string, unknown>),
    eventId,
    ...(MONEY_EVENTS.includes(event) ? { currency: MONEY_CURRENCY, scale: MONEY_SCALE } : {}),
  };
}

/** The user's next sequence number for this event, or the one it already got (a redelivery). */
const ASSIGN_SEQ = `
local seq = redis.call('GET', KEYS[2])
if seq then return tonumber(seq) end
seq = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], seq, 'EX', ARGV[1])
return seq`;

/**
 * The envelope for one user's room: with `seq`, that user's next number (Redis INCR, kept per
 * event id so a redelivered event keeps its number), and the entry the user's catch-up log keeps.
 */
export async function numberedFor(
  redis: RedisClient,
  keys: EventLogKeys,
  event: EventName,
  base: Record<string, unknown> & EventEnvelope,
  ttlSeconds: number,
) {
  const seq = Number(await redis.eval(ASSIGN_SEQ, 2, keys.seq, keys.seqOf(base.eventId), String(ttlSeconds)));
  const numbered = { ...base, seq };
  return { seq, numbered, logEntry: JSON.stringify({ event, payload: numbered }) };
}
