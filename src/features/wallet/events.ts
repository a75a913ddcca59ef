import { liveEvent, userRoom } from '../realtime/events';
import type { Minor } from '../../kernel/money';

/** `wallet:balance` to the owner, as an outbox message written with the movement that changed it. */
export const balanceEvent = (userId: string, balance: Minor) =>
  liveEvent(userRoom(userId), 'wallet:balance', { userId, balance, at: new Date().toISOString() });
