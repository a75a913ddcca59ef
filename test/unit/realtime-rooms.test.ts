import { assignedRooms, decideRoomRequest } from '../../src/features/realtime/rooms';

const user = { userId: 'u1', role: 'USER' as const };
const admin = { userId: 'a1', role: 'ADMIN' as const };
const master = { userId: 'm1', role: 'MASTER' as const };

describe('assigned rooms', () => {
  it('puts a USER in its own room, ADMIN and MASTER also in admins', () => {
    expect(assignedRooms(user)).toEqual(['user:u1']);
    expect(assignedRooms(admin)).toEqual(['user:a1', 'admins']);
    expect(assignedRooms(master)).toEqual(['user:m1', 'admins']);
  });
});

describe('room requests', () => {
  it('lets anyone join and leave arbitrage', () => {
    expect(decideRoomRequest(user, 'join', 'arbitrage')).toEqual({ kind: 'join', room: 'arbitrage' });
    expect(decideRoomRequest(user, 'leave', 'arbitrage')).toEqual({ kind: 'leave', room: 'arbitrage' });
  });

  it("refuses another user's room, admins for a USER, and unknown rooms", () => {
    for (const room of ['user:u2', 'admins', 'user:', 'anything', 'user:u1 ']) {
      expect(decideRoomRequest(user, 'join', room)).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN' });
    }
    expect(decideRoomRequest(admin, 'join', 'user:u1')).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN' });
  });

  it('answers a join of an assigned room as a no-op and refuses leaving it', () => {
    expect(decideRoomRequest(user, 'join', 'user:u1')).toEqual({ kind: 'noop' });
    expect(decideRoomRequest(admin, 'join', 'admins')).toEqual({ kind: 'noop' });
    expect(decideRoomRequest(admin, 'leave', 'admins')).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN' });
    expect(decideRoomRequest(user, 'leave', 'user:u1')).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN' });
  });

  it('refuses a room that is not a non-empty string of at most 200 characters', () => {
    for (const room of [undefined, null, 42, { room: 'arbitrage' }, '', 'x'.repeat(201)]) {
      expect(decideRoomRequest(user, 'join', room)).toMatchObject({ kind: 'refuse', code: 'VALIDATION' });
    }
  });
});
