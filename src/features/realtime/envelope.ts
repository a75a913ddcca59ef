import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../kernel/redis/client';
import { MONEY_CURRENCY, MONEY_SCALE } from '../../kernel/money';
import type { EventLogKeys } from './event-log';
import type { EventEnvelope, EventName, PublishOptions } from './events';

/** Events whose numbers are money in minor units: they say in which currency and at which scale. */
const MONEY_EVENTS: readonly EventName[] = ['binary:opened', 'binary:resolved', 'wallet:balance'];
const USER_ROOM = /^user:(.+)$/;

/**
 * The rooms of one publish: shared ones (`admins`, `arbitrage`) get one message, each user's room
 * its own numbered one.
 */
export function splitRooms(rooms: string | string[]) {
  const list = Array.isArray(rooms) ? rooms : [rooms];
  return {
    shared: list.filter((room) => !USER_ROOM.test(room)),
    users: list.flatMap((room) => {
      const userId = USER_ROOM.exec(room)?.[1];
      return userId ? [{ room, userId }] : [];
    }),
  };
}

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

/**
 * Lua, shared by both publishers' scripts: mark `KEYS[1]` once (EX ARGV[1]) and publish with
 * `command` (PUBLISH or SPUBLISH) the message ARGV[3] on channel ARGV[2]; -1 if already marked.
 */
export const publishOnceLua = (command: 'PUBLISH' | 'SPUBLISH') => `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('${command}', ARGV[2], ARGV[3])
end
return -1`;

/**
 * Lua, shared by both publishers' scripts: the numbered event ARGV[3] (score: its seq, ARGV[2])
 * joins the user's log `log`, bounded to the newest ARGV[4]; the log and the user's counter `seq`
 * expire ARGV[1] seconds after the last event.
 */
export const logEventLua = (log: string, seq: string) => `
redis.call('ZADD', ${log}, ARGV[2], ARGV[3])
redis.call('ZREMRANGEBYRANK', ${log}, 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIRE', ${log}, ARGV[1])
redis.call('EXPIRE', ${seq}, ARGV[1])`;

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
