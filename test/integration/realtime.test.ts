/**
 * Socket.IO across real, separate API processes sharing Redis (classic adapter + emitter on one
 * channel key). Three `tsx src/main/api.ts` instances (A, B, C), one `tsx src/main/worker.ts`,
 * and a publisher process using RedisEmitterPublisher exactly as the worker's activities do.
 */
import { randomUUID } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import { freePorts } from '../../scripts/stack/net';
import { TokenService } from '../../src/features/auth/tokens';
import type { AppContext } from '../../src/main/context';
import {
  ADMINS_ROOM,
  ARBITRAGE_ROOM,
  userRoom,
  type RoomAck,
  type SessionInfo,
} from '../../src/features/realtime/events';
import { amlWorkflowId } from '../../src/features/aml/contract';
import { binaryWorkflowId } from '../../src/features/binary/client';
import { kycWorkflowId } from '../../src/features/kyc/cases';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createStaff, httpClient, registerUser } from '../helpers/http';
import {
  childEnv,
  startApiProcess,
  startBalancer,
  startPublisherProcess,
  startWorkerProcess,
  stopAllProcesses,
  type ApiProcess,
  type Balancer,
  type PublisherProcess,
} from '../helpers/processes';

const JWT_SECRET = 'realtime-test-secret-realtime-test-secret';
const REDIS_PREFIX = `test-rt-${randomUUID().slice(0, 8)}`;

let ctx: AppContext;
let A: ApiProcess, B: ApiProcess, C: ApiProcess;
let publisher: PublisherProcess;
let balancer: Balancer | undefined;
const clients: Client[] = [];
const startedWorkflows: string[] = [];

interface Received {
  event: string;
  payload: any;
}

/** A socket.io-client connection that records everything it receives. */
class Client {
  readonly received: Received[] = [];
  readonly sessions: SessionInfo[] = [];
  disconnects = 0;
  readonly socket: Socket;

  constructor(url: string, token: string | undefined, opts: { reconnect?: boolean } = {}) {
    this.socket = connectClient(url, {
      transports: ['websocket'],
      auth: token === undefined ? {} : { token },
      reconnection: opts.reconnect ?? false,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      randomizationFactor: 0,
      forceNew: true,
    });
    this.socket.onAny((event: string, payload: unknown) => this.received.push({ event, payload }));
    this.socket.on('session:ready', (s: SessionInfo) => this.sessions.push(s));
    this.socket.on('disconnect', () => this.disconnects++);
    clients.push(this);
  }

  get session(): SessionInfo | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  /** Resolves with the session once connected; rejects with the connect_error. */
  ready(): Promise<SessionInfo> {
    const count = this.sessions.length;
    return eventually(async () => this.sessions.length > count && this.session, 20_000, 'session:ready');
  }

  refused(): Promise<Error & { data?: { code?: string } }> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect_error', resolve);
      this.socket.once('connect', () => reject(new Error('connected, expected a refusal')));
    });
  }

  of(event: string, match: (p: any) => boolean = () => true): Received[] {
    return this.received.filter((r) => r.event === event && match(r.payload));
  }

  waitFor(event: string, match: (p: any) => boolean = () => true, timeoutMs = 30_000) {
    return eventually(async () => this.of(event, match)[0], timeoutMs, `${event} on ${this.session?.userId}`);
  }

  request(action: 'room:join' | 'room:leave', room: string): Promise<RoomAck> {
    return this.socket.timeout(5000).emitWithAck(action, room);
  }

  close() {
    this.socket.disconnect();
  }
}

/**
 * Publishes a marker to every given client's user room (from the publisher process, after
 * whatever was published before) and waits until each has it. Redis delivers a subscriber's
 * messages in the order it accepted them, so anything a client has not received by then it
 * never will: absence and "exactly once" can be checked without sleeping.
 */
async function barrier(...targets: Client[]): Promise<void> {
  const marker = randomUUID();
  await publisher.publish(
    targets.map((c) => userRoom(c.session!.userId)),
    'arbitrage:opportunity',
    { marker },
  );
  await Promise.all(targets.map((c) => c.waitFor('arbitrage:opportunity', (p) => p.marker === marker)));
}

async function connected(url: string, user: { token: string }, opts?: { reconnect?: boolean }) {
  const client = new Client(url, user.token, opts);
  await client.ready();
  return client;
}

beforeAll(async () => {
  const env = childEnv({ REDIS_PREFIX, JWT_SECRET, QUEUE_METRICS_BROADCAST_MS: '1000' });
  const [pa, pb, pc] = (await freePorts(3)) as [number, number, number];
  // Worker and publisher first: the worker's bundling is the slow part, the APIs start meanwhile.
  const worker = startWorkerProcess('worker', env);
  [A, B, C] = await Promise.all([
    startApiProcess('A', pa, env),
    startApiProcess('B', pb, env),
    startApiProcess('C', pc, env),
  ]);
  publisher = await startPublisherProcess(env);
  ctx = await createTestContext({ REDIS_PREFIX, JWT_SECRET });
  await worker;
}, 240_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await balancer?.close();
  for (const id of startedWorkflows) {
    await ctx?.temporal.workflow
      .getHandle(id)
      .terminate('test done')
      .catch(() => undefined);
  }
  await stopAllProcesses();
  await ctx?.shutdown.run('test done');
});

describe('connection authentication', () => {
  it('refuses a connection without a token, with a bad token, or with an expired token', async () => {
    const none = await new Client(A.url, undefined).refused();
    expect(none.message).toBe('authentication required: send the access token as auth.token');
    expect(none.data).toEqual({ code: 'UNAUTHENTICATED' });

    const forged = await new Client(A.url, 'not.a.jwt').refused();
    expect(forged.message).toBe('invalid token');

    const userId = randomUUID();
    const foreign = await new TokenService('another-secret-another-secret-another', 3600).issue({
      userId,
      role: 'ADMIN',
    });
    expect((await new Client(B.url, foreign).refused()).message).toBe('invalid token');

    const expired = await ctx.tokens.issue({ userId, role: 'USER' }, -5);
    const refusedExpired = await new Client(B.url, expired).refused();
    expect(refusedExpired.message).toBe('token expired');
    expect(refusedExpired.data).toEqual({ code: 'UNAUTHENTICATED' });

    // The same user with a valid token is accepted and placed in its own room only.
    const ok = await connected(C.url, { token: await ctx.tokens.issue({ userId, role: 'USER' }) });
    expect(ok.session).toEqual({ userId, role: 'USER', rooms: [userRoom(userId)], instance: 'C' });
  });

  it("refuses joining another user's room or admins; joins arbitrage on request", async () => {
    const mallory = await connected(A.url, { token: await ctx.tokens.issue({ userId: randomUUID(), role: 'USER' }) });
    const victimId = randomUUID();
    const victim = await connected(B.url, { token: await ctx.tokens.issue({ userId: victimId, role: 'USER' }) });

    expect(await mallory.request('room:join', userRoom(victimId))).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: `not allowed to join room ${userRoom(victimId)}` },
    });
    expect(await mallory.request('room:join', ADMINS_ROOM)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await mallory.request('room:join', ARBITRAGE_ROOM)).toEqual({
      ok: true,
      rooms: [ARBITRAGE_ROOM, userRoom(mallory.session!.userId)].sort(),
    });

    await publisher.publish(userRoom(victimId), 'wallet:balance', { userId: victimId, balance: 1, at: 'now' });
    await publisher.publish(ADMINS_ROOM, 'admin:alert', { kind: 'test', message: 'for admins', at: 'now' });
    await publisher.publish(ARBITRAGE_ROOM, 'arbitrage:opportunity', { symbol: 'BTCUSD', spreadBps: 12 });
    await barrier(mallory, victim);

    expect(victim.of('wallet:balance')).toHaveLength(1);
    expect(mallory.of('wallet:balance')).toHaveLength(0);
    expect(mallory.of('admin:alert')).toHaveLength(0);
    expect(mallory.of('arbitrage:opportunity', (p) => p.symbol === 'BTCUSD')).toHaveLength(1);
    expect(victim.of('arbitrage:opportunity', (p) => p.symbol === 'BTCUSD')).toHaveLength(0);

    // Leaving arbitrage stops those events; the assigned room cannot be left.
    expect(await mallory.request('room:leave', ARBITRAGE_ROOM)).toMatchObject({ ok: true });
    expect(await mallory.request('room:leave', userRoom(mallory.session!.userId))).toMatchObject({ ok: false });
    await publisher.publish(ARBITRAGE_ROOM, 'arbitrage:opportunity', { symbol: 'ETHUSD' });
    await barrier(mallory);
    expect(mallory.of('arbitrage:opportunity', (p) => p.symbol === 'ETHUSD')).toHaveLength(0);
  });
});

describe('events across instances', () => {
  it('a KYC approval through C reaches the owner on A (and the owner on C) exactly once, and no other user', async () => {
    const http = httpClient(C.url);
    const owner = await registerUser(http);
    const other = await registerUser(httpClient(A.url));
    const admin = await createStaff(ctx, 'ADMIN');

    const ownerOnA = await connected(A.url, owner);
    const ownerOnC = await connected(C.url, owner);
    const otherOnA = await connected(A.url, other);
    const adminOnB = await connected(B.url, admin);
    expect([ownerOnA.session!.instance, ownerOnC.session!.instance, adminOnB.session!.instance]).toEqual([
      'A',
      'C',
      'B',
    ]);
    expect(adminOnB.session!.rooms).toEqual([ADMINS_ROOM, userRoom(admin.id)]);

    expect((await http.post('/kyc/start', { provider: 'LOCAL' }, owner.token)).status).toBe(202);
    startedWorkflows.push(kycWorkflowId(owner.id));
    await ownerOnA.waitFor('kyc:status', (p) => p.status === 'PENDING');
    const approve = await http.put(`/kyc/admin/${owner.id}/approve`, { notes: 'ok' }, admin.token);
    expect(approve.status).toBe(200);

    // Published by the worker process's activity, delivered by A's and C's Socket.IO servers.
    const approved = await ownerOnA.waitFor('kyc:status', (p) => p.status === 'APPROVED');
    expect(approved.payload).toMatchObject({ userId: owner.id, status: 'APPROVED' });
    await barrier(ownerOnA, ownerOnC, otherOnA, adminOnB);
    for (const c of [ownerOnA, ownerOnC]) {
      expect(c.of('kyc:status', (p) => p.status === 'APPROVED')).toHaveLength(1);
      expect(c.of('kyc:status', (p) => p.status === 'PENDING')).toHaveLength(1);
    }
    expect(otherOnA.of('kyc:status')).toHaveLength(0);
    expect(adminOnB.of('kyc:status')).toHaveLength(0);
  });

  it('a binary trade opened through C and settled by the worker process reaches the owner on A once, no one else', async () => {
    const http = httpClient(C.url);
    const owner = await registerUser(http);
    const other = await registerUser(http);
    const ownerOnA = await connected(A.url, owner);
    const otherOnA = await connected(A.url, other);
    const otherOnB = await connected(B.url, other);

    const deposit = await http.post('/wallet/deposit', { amount: '100.00' }, owner.token, {
      'idempotency-key': `dep-${randomUUID()}`,
    });
    expect(deposit.status).toBe(201);
    const open = await http.post(
      '/binary/open',
      { symbol: 'BTCUSD', direction: 'UP', stake: '10', expiry: 1 },
      owner.token,
    );
    expect(open.status).toBe(201);
    startedWorkflows.push(binaryWorkflowId(open.body.id));

    const resolved = await ownerOnA.waitFor('binary:resolved', (p) => p.tradeId === open.body.id);
    expect(resolved.payload).toMatchObject({ userId: owner.id, tradeId: open.body.id });
    expect(['WON', 'LOST', 'TIE']).toContain(resolved.payload.status);
    await barrier(ownerOnA, otherOnA, otherOnB);
    expect(ownerOnA.of('binary:resolved')).toHaveLength(1);
    expect(ownerOnA.of('binary:opened', (p) => p.tradeId === open.body.id)).toHaveLength(1);
    // The deposit's balance (published by C's process) and the stake's and payout's (by the worker).
    expect(ownerOnA.of('wallet:balance').length).toBeGreaterThanOrEqual(2);
    for (const c of [otherOnA, otherOnB]) {
      expect(c.of('binary:resolved')).toHaveLength(0);
      expect(c.of('binary:opened')).toHaveLength(0);
      expect(c.of('wallet:balance')).toHaveLength(0);
    }
  });

  it('an admin on B receives aml:frozen for a freeze triggered through A; other users do not', async () => {
    const httpA = httpClient(A.url);
    const admin = await createStaff(ctx, 'ADMIN');
    const adminOnB = await connected(B.url, admin);
    const master = await connected(C.url, await createStaff(ctx, 'MASTER'));
    const bystander = await connected(B.url, { token: await ctx.tokens.issue({ userId: randomUUID(), role: 'USER' }) });
    // A user from a banned country: the first deposit through A requests a freeze.
    const user = await registerUser(httpA, { country: 'IR' });
    const userOnA = await connected(A.url, user);
    const deposit = await httpA.post('/wallet/deposit', { amount: '10' }, user.token, {
      'idempotency-key': `dep-${randomUUID()}`,
    });
    expect(deposit.status).toBe(201);
    startedWorkflows.push(amlWorkflowId(user.id));

    const frozen = await adminOnB.waitFor('aml:frozen', (p) => p.userId === user.id);
    expect(frozen.payload).toMatchObject({ userId: user.id });
    await barrier(adminOnB, bystander, userOnA, master);
    expect(adminOnB.of('aml:frozen')).toHaveLength(1);
    expect(master.of('aml:frozen', (p) => p.userId === user.id)).toHaveLength(1);
    expect(userOnA.of('aml:frozen')).toHaveLength(1); // the owner is told too
    expect(bystander.of('aml:frozen')).toHaveLength(0);
  });
});

describe('queue:metrics', () => {
  it('reaches admins once per interval from the three instances together, and no USER', async () => {
    const admin = await connected(A.url, await createStaff(ctx, 'ADMIN'));
    const user = await connected(B.url, { token: await ctx.tokens.issue({ userId: randomUUID(), role: 'USER' }) });
    await eventually(async () => admin.of('queue:metrics').length >= 3, 30_000, 'three queue:metrics');
    const slots = admin.of('queue:metrics').map((r) => r.payload.slot);
    expect(new Set(slots).size).toBe(slots.length);
    expect(admin.of('queue:metrics')[0]!.payload).toMatchObject({ email: expect.any(Object), ai: expect.any(Object) });
    await barrier(user);
    expect(user.of('queue:metrics')).toHaveLength(0);
  });
});

describe('losing an instance', () => {
  it('killing one instance disconnects only its clients; they reconnect elsewhere and get later events', async () => {
    balancer = await startBalancer([A.port, B.port, C.port]);
    const users = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const userId = randomUUID();
        return { userId, token: await ctx.tokens.issue({ userId, role: 'USER' }) };
      }),
    );
    const viaLb: Client[] = [];
    for (const u of users) viaLb.push(await connected(balancer.url, u, { reconnect: true }));
    const on = (instance: string) => viaLb.filter((c) => c.session!.instance === instance);
    expect([on('A').length, on('B').length, on('C').length]).toEqual([2, 2, 2]);

    // A crash: no goodbye to its clients.
    expect(await A.kill('SIGKILL')).toBe('SIGKILL');
    const movedFromA = on('A');
    await Promise.all(movedFromA.map((c) => eventually(async () => c.sessions.length === 2, 20_000, 'reconnect')));
    for (const c of movedFromA) {
      expect(c.disconnects).toBe(1);
      expect(['B', 'C']).toContain(c.session!.instance);
    }
    const stayed = viaLb.filter((c) => !movedFromA.includes(c));
    for (const c of stayed) {
      expect(c.disconnects).toBe(0);
      expect(c.sessions).toHaveLength(1);
    }

    // A later event reaches every user exactly once, wherever it now is.
    for (const c of viaLb) {
      await publisher.publish(userRoom(c.session!.userId), 'wallet:balance', {
        userId: c.session!.userId,
        balance: 42,
        at: new Date().toISOString(),
      });
    }
    await barrier(...viaLb);
    for (const c of viaLb) {
      expect(c.of('wallet:balance').map((r) => r.payload.userId)).toEqual([c.session!.userId]);
    }

    // A graceful stop (SIGTERM -> disconnectSocket()) moves C's clients to B the same way.
    const onC = on('C');
    expect(await C.kill('SIGTERM')).toBe(0);
    await Promise.all(onC.map((c) => eventually(async () => c.session!.instance === 'B', 20_000, 'reconnect to B')));
    for (const c of viaLb.filter((x) => !onC.includes(x) && !movedFromA.includes(x))) expect(c.disconnects).toBe(0);
    for (const c of viaLb) {
      await publisher.publish(userRoom(c.session!.userId), 'wallet:balance', {
        userId: c.session!.userId,
        balance: 43,
        at: new Date().toISOString(),
      });
    }
    await barrier(...viaLb);
    for (const c of viaLb) expect(c.of('wallet:balance').map((r) => r.payload.balance)).toEqual([42, 43]);
  });
});
