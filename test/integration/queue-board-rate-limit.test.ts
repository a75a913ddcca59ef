import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/kernel/http/app';
import { buildRouters } from '../../src/main/routers';
import type { AppContext } from '../../src/main/context';
import { initQueues } from '../../src/main/queues';
import type { EmailMessage } from '../../src/features/notifications/transports/types';
import { createTestContext } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { createStaff, httpClient, type HttpClient, type TestUser } from '../helpers/http';

// The email workers may send 3 emails a minute: the fourth has to wait for the window.
const MAX = 3;
let ctx: AppContext;
let server: Server;
let http: HttpClient;
let admin: TestUser;
const sent: EmailMessage[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ EMAIL_RATE_MAX: String(MAX), EMAIL_RATE_DURATION_MS: '60000' });
  server = createServer(
    createApp({ logger: ctx.logger, orm: ctx.orm, bodyLimit: '10kb', routers: buildRouters(ctx) }).callback(),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  http = httpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  admin = await createStaff(ctx, 'ADMIN');
  await initQueues(ctx, {
    workers: ['email'],
    emailTransport: { name: 'test', send: async (m) => (sent.push(m), {}) },
  });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await ctx.shutdown.run('test done');
});

/** What the board's queue list reports for the email queue (the badge reads activeRateLimitTtl). */
async function emailQueueOnBoard() {
  const res = await http.get('/admin/queues/api/queues', admin.token);
  expect(res.status).toBe(200);
  return res.body.queues.find((q: { name: string }) => q.name === 'email-notifications');
}

describe('bull-board "rate limited" badge', () => {
  it('is off after jobs ran below the limit, on once the limiter is actually hit', async () => {
    await ctx.email.enqueue({ template: 'welcome', to: 'one@example.test', data: {} }, 'rl-1');
    await eventually(async () => sent.length === 1, 10_000, 'the first email to be sent');
    // One job ran inside the limiter window: the limiter key exists, but the limit is not reached.
    expect((await emailQueueOnBoard()).activeRateLimitTtl).toBe(0);

    for (let i = 2; i <= MAX + 1; i++)
      await ctx.email.enqueue({ template: 'welcome', to: `n${i}@example.test`, data: {} }, `rl-${i}`);
    await eventually(async () => sent.length === MAX, 10_000, `${MAX} emails to be sent`);
    const board = await eventually(
      async () => {
        const q = await emailQueueOnBoard();
        return q.activeRateLimitTtl > 0 && q;
      },
      10_000,
      'the board to report the limiter as hit',
    );
    // A TTL inside the one-minute window, and the fourth email still waiting for it.
    expect(board.activeRateLimitTtl).toBeLessThanOrEqual(60_000);
    expect(sent).toHaveLength(MAX);
  });
});
