import { ADMIN_ROLES, type Role } from '../../kernel/db/entities/user';
import { ADMINS_ROOM, OPT_IN_ROOMS, userRoom } from './events';

/** The rooms the server puts a socket in on connect. */
export function assignedRooms(principal: { userId: string; role: Role }): string[] {
  const rooms = [userRoom(principal.userId)];
  if (ADMIN_ROLES.includes(principal.role)) rooms.push(ADMINS_ROOM);
  return rooms;
}

export type RoomDecision =
  | { kind: 'join' | 'leave'; room: string }
  | { kind: 'noop' }
  | { kind: 'refuse'; code: 'VALIDATION' | 'FORBIDDEN'; message: string };

/**
 * What to do with a client's request to join or leave `room`: opt-in rooms are open to everyone;
 * the assigned rooms are already joined and cannot be left; anything else — another user's room,
 * `admins` for a USER, an unknown room — is refused.
 */
export function decideRoomRequest(
  principal: { userId: string; role: Role },
  action: 'join' | 'leave',
  room: unknown,
): RoomDecision {
  if (typeof room !== 'string' || room.length === 0 || room.length > 200) {
    return { kind: 'refuse', code: 'VALIDATION', message: 'room must be a non-empty string' };
  }
  if (OPT_IN_ROOMS.includes(room)) return { kind: action, room };
  if (assignedRooms(principal).includes(room)) {
    return action === 'join'
      ? { kind: 'noop' }
      : { kind: 'refuse', code: 'FORBIDDEN', message: `room ${room} is assigned by the server` };
  }
  return { kind: 'refuse', code: 'FORBIDDEN', message: `not allowed to ${action} room ${room}` };
}
