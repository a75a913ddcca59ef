/**
 * binaryTrade with mocked activities, on the dev server global-setup started (not the
 * time-skipping test server: the SDK downloads that binary at run time and this machine cannot;
 * see test/helpers/workflow-env.ts). Expiries are a second or two away, the settlement retries
 * take their real 2 s + 4 s backoff, and every wait is a bounded poll for a positive marker:
 * a mocked activity having been called, a query answer, the workflow's result.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { binaryTrade } from '../../src/features/binary/workflow';
import {
  binaryTradeQuery,
  openTradeUpdate,
  retrySettlementSignal,
  type BinaryTradeInput,
  type BinaryTradeView,
  type OpenTradeInput,
} from '../../src/features/binary/contract';
import { eventually } from '../helpers/eventually';
import { recording, withWorker, workflowBundle, workflowTestEnv } from '../helpers/workflow-env';
import { signedFor, signedInput } from '../helpers/signing';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await workflowTestEnv();
  await workflowBundle();
});
afterAll(() => env?.teardown());

function openTrade(tradeId: string, expiresInMs: number): BinaryTradeView {
  const now = Date.now();
  return {
    id: tradeId,
    userId: randomUUID(),
    symbol: 'BTCUSD',
    direction: 'UP',
    stake: 1_000,
    payoutRateBps: 8_500,
    openPrice: 4_300_000,
    closePrice: null,
    payout: null,
    status: 'OPEN',
    openedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + expiresInMs).toISOString(),
    settledAt: null,
  };
}

const won = (t: BinaryTradeView): BinaryTradeView => ({
  ...t,
  status: 'WON',
  closePrice: 4_300_010,
  payout: 1_850,
  settledAt: t.expiresAt,
});

/** `trade()` is the open trade as the database would hold it; opening creates it at call time. */
function binaryActivities(
  trade: () => BinaryTradeView,
  overrides: Record<string, (input: any) => Promise<unknown>> = {},
) {
  return recording({
    binaryOpen: async (_: OpenTradeInput) => trade(),
    binaryLoad: async (_: string) => trade(),
    binarySettle: async (_: string) => won(trade()),
    binaryMarkSettlementFailed: async (_: { tradeId: string; failure: string }) => ({
      ...trade(),
      status: 'SETTLEMENT_FAILED',
    }),
    ...overrides,
  });
}

const openInput = (tradeId: string): OpenTradeInput => ({
  tradeId,
  userId: randomUUID(),
  symbol: 'BTCUSD',
  direction: 'UP',
  stake: 1_000,
  payoutRateBps: 8_500,
  expirySeconds: 2,
});

const start = (taskQueue: string, tradeId: string, args: BinaryTradeInput) =>
  env.client.workflow.start(binaryTrade, {
    taskQueue,
    workflowId: `binary-test-${tradeId}`,
    args: [
      signedInput(
        `binary-test-${tradeId}`,
        'binaryTrade',
        args.resume ? 'system:binary-reconciler' : `user:${args.open.userId}`,
        args,
      ),
    ],
  });

describe('binaryTrade expiry', () => {
  it('the open update answers the open trade; settlement runs once, not before the expiry instant', async () => {
    const tradeId = randomUUID();
    const open = openInput(tradeId);
    let trade: BinaryTradeView | undefined;
    const mocks = binaryActivities(() => (trade ??= openTrade(tradeId, 1_500)));
    const result = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, tradeId, { resume: false, open });
      expect(await handle.executeUpdate(openTradeUpdate)).toEqual(trade);
      expect(await handle.query(binaryTradeQuery)).toEqual(trade);
      return handle.result();
    });
    expect(result).toEqual(won(trade!));
    const settles = mocks.callsOf('binarySettle');
    expect(settles.map((c) => c.input)).toEqual([tradeId]);
    expect(settles[0]!.at).toBeGreaterThanOrEqual(new Date(trade!.expiresAt).getTime());
    expect(mocks.callsOf('binaryOpen').map((c) => c.input)).toEqual([open]);
  });

  it('a refused open (insufficient funds) answers its code and ends the run with nothing to settle', async () => {
    const tradeId = randomUUID();
    const mocks = binaryActivities(() => openTrade(tradeId, 1_000), {
      binaryOpen: async () => {
        throw ApplicationFailure.create({ type: 'INSUFFICIENT_FUNDS', message: 'balance too low', nonRetryable: true });
      },
    });
    const result = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, tradeId, { resume: false, open: openInput(tradeId) });
      const refusal = await handle.executeUpdate(openTradeUpdate).then(
        () => undefined,
        (err: { cause?: unknown }) => err.cause,
      );
      expect(refusal).toBeInstanceOf(ApplicationFailure);
      expect((refusal as ApplicationFailure).type).toBe('INSUFFICIENT_FUNDS');
      return handle.result();
    });
    expect(result).toBeNull();
    expect(mocks.callsOf('binaryOpen')).toHaveLength(1);
    expect(mocks.callsOf('binarySettle')).toHaveLength(0);
  });
});

describe('binaryTrade settlement failure', () => {
  it('3 failed attempts -> SETTLEMENT_FAILED; an admin retry signal settles it', async () => {
    const tradeId = randomUUID();
    const trade = openTrade(tradeId, -1_000); // resumed after its expiry: settles at once
    let failing = true;
    const mocks = binaryActivities(() => trade, {
      binarySettle: async () => {
        if (failing) throw new Error('price feed answered 503');
        return won(trade);
      },
    });
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, tradeId, { resume: true, tradeId });
      const marked = await eventually(
        async () => mocks.callsOf('binaryMarkSettlementFailed')[0],
        30_000,
        'SETTLEMENT_FAILED',
      );
      expect(marked.input).toEqual({ tradeId, failure: 'price feed answered 503' });
      const attempts = mocks.callsOf('binarySettle');
      expect(attempts).toHaveLength(3);
      // Exponential backoff from 2 s.
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2_000);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(4_000);
      await eventually(
        async () => (await handle.query(binaryTradeQuery))?.status === 'SETTLEMENT_FAILED',
        15_000,
        'the SETTLEMENT_FAILED state',
      );

      failing = false;
      const adminId = randomUUID();
      await handle.signal(
        retrySettlementSignal,
        signedFor(handle.workflowId, 'retrySettlement', `admin:${adminId}`, { adminId }),
      );
      expect(await handle.result()).toEqual(won(trade));
    });
    expect(mocks.callsOf('binarySettle')).toHaveLength(4);
    expect(mocks.callsOf('binaryMarkSettlementFailed')).toHaveLength(1);
    expect(mocks.callsOf('binaryLoad').map((c) => c.input)).toEqual([tradeId]);
  });
});
