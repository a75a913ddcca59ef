/**
 * Issue 17: the Temporal UI (or CLI, or any gRPC client) is not a back door. Messages sent
 * straight to a workflow, without the API's signature, are refused (updates) or dropped
 * (signals), and the workflow's state does not move; the API's own signed messages work.
 * Also: the UI-facing metadata (current details, deadline queries, handler descriptions, timer
 * summaries) and a replay of a signed run.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { kycVerification } from '../../src/features/kyc/workflow';
import { binaryTrade } from '../../src/features/binary/workflow';
import {
  adminDecisionUpdate,
  kycDeadlinesQuery,
  kycStateQuery,
  providerResultSignal,
  type AdminDecision,
  type KycVerificationInput,
} from '../../src/features/kyc/contract';
import type { ProviderResult } from '../../src/features/kyc/rules';
import { signMessage } from '../../src/kernel/temporal/signing';
import { eventually } from '../helpers/eventually';
import { signedFor, signedInput } from '../helpers/signing';
import { signalsHandled } from '../helpers/workflow-history';
import { recording, withWorker, workflowBundle, workflowTestEnv } from '../helpers/workflow-env';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await workflowTestEnv();
  await workflowBundle();
});
afterAll(() => env?.teardown());

const kycActivities = () =>
  recording({
    kycRecordPending: async (_: unknown) => undefined,
    kycCreateVerification: async (_: unknown) => 'prov-1',
    kycRecordProviderEvent: async (_: unknown) => undefined,
    kycAwaitUser: async (_: unknown) => undefined,
    kycFlagForManualReview: async (_: unknown) => undefined,
    kycFinalize: async (_: unknown) => undefined,
    kycNotifyDecision: async (_: unknown) => undefined,
  });

const kycInput = (): KycVerificationInput => ({
  userId: randomUUID(),
  provider: 'SUMSUB',
  providerDeadlineMs: 60_000,
  hardDeadlineMs: 120_000,
  maxAttempts: 3,
});

async function startKyc(taskQueue: string, args = kycInput()) {
  const workflowId = `kyc-signed-${args.userId}`;
  const handle = await env.client.workflow.start(kycVerification, {
    taskQueue,
    workflowId,
    args: [signedInput(workflowId, 'kycVerification', `user:${args.userId}`, args)],
  });
  return { handle, args };
}

/** The refusal an update got from the validator (FORBIDDEN for a bad signature). */
async function refusalOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof ApplicationFailure) return e;
  }
  throw new Error(`expected a refused update, got ${String(err)}`);
}

const decision = (adminId = randomUUID()): AdminDecision => ({ decision: 'APPROVE', adminId, notes: null });

describe('an admin decision sent straight to Temporal', () => {
  it('unsigned, tampered, re-attributed, wrongly keyed or stale: refused by the validator, the case does not move; the signed one decides', async () => {
    const mocks = kycActivities();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const { handle } = await startKyc(taskQueue);
      const id = handle.workflowId;
      const d = decision();
      const send = (message: unknown) => handle.executeUpdate(adminDecisionUpdate, { args: [message as never] });

      const cases: [string, unknown, RegExp][] = [
        ['bare payload (what the UI would send)', d, /unsigned message refused/],
        [
          'tampered: REJECT signed, APPROVE sent',
          {
            ...signedFor(id, 'adminDecision', `admin:${d.adminId}`, { ...d, decision: 'REJECT' }),
            payload: d,
          },
          /bad signature/,
        ],
        [
          'another admin id in a payload signed for this one',
          { ...signedFor(id, 'adminDecision', `admin:${d.adminId}`, d), payload: { ...d, adminId: randomUUID() } },
          /bad signature/,
        ],
        [
          'signed for another admin than the payload names',
          signedFor(id, 'adminDecision', `admin:${randomUUID()}`, d),
          /signed by admin:.*, not admin:/,
        ],
        [
          'signed with a key the worker does not hold',
          signMessage(
            'a-guessed-key-a-guessed-key-a-guessed-key',
            { workflowId: id, name: 'adminDecision' },
            `admin:${d.adminId}`,
            d,
          ),
          /bad signature/,
        ],
        [
          'signed for another workflow',
          signedFor(`kyc-signed-${randomUUID()}`, 'adminDecision', `admin:${d.adminId}`, d),
          /bad signature/,
        ],
        [
          'stale: signed 11 minutes ago',
          signedFor(id, 'adminDecision', `admin:${d.adminId}`, d, Date.now() - 11 * 60_000),
          /stale message refused/,
        ],
      ];
      for (const [what, message, reason] of cases) {
        const refusal = await refusalOf(send(message));
        expect({ what, type: refusal.type, message: refusal.message }).toEqual({
          what,
          type: 'FORBIDDEN',
          message: expect.stringMatching(reason),
        });
      }
      // Nothing moved: still pending, no decision, no finalize, and no accepted update in history.
      expect(await handle.query(kycStateQuery)).toMatchObject({ status: 'PENDING', decidedBy: null });
      expect(mocks.callsOf('kycFinalize')).toHaveLength(0);
      const history = (await handle.fetchHistory()).events ?? [];
      expect(history.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

      // The API's own message decides.
      const signed = signedFor(id, 'adminDecision', `admin:${d.adminId}`, d);
      expect(await send(signed)).toMatchObject({ status: 'APPROVED', decidedBy: { type: 'ADMIN', id: d.adminId } });
      expect(await handle.result()).toMatchObject({ status: 'APPROVED' });
    });
  });
});

describe('a provider result signalled straight to Temporal', () => {
  it('without the signature (the webhook check skipped) is dropped; the signed one is applied', async () => {
    const mocks = kycActivities();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const { handle } = await startKyc(taskQueue);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 10_000, 'opened');
      const result: ProviderResult = {
        provider: 'SUMSUB',
        providerId: 'prov-1',
        outcome: 'APPROVED',
        occurredAt: 1_000,
        eventId: randomUUID(),
      };
      await handle.signal(providerResultSignal, result as never);
      await handle.signal(providerResultSignal, {
        ...signedFor(handle.workflowId, 'providerResult', 'provider:SUMSUB', { ...result, outcome: 'REJECTED' }),
        payload: result,
      });
      // Signed as another provider than the result names.
      await handle.signal(
        providerResultSignal,
        signedFor(handle.workflowId, 'providerResult', 'provider:ONFIDO', result),
      );
      await signalsHandled(handle, 'providerResult', 3);
      expect(await handle.query(kycStateQuery)).toMatchObject({ status: 'PENDING', lastProviderEventAt: null });
      expect(mocks.callsOf('kycRecordProviderEvent')).toHaveLength(0);

      await handle.signal(
        providerResultSignal,
        signedFor(handle.workflowId, 'providerResult', 'provider:SUMSUB', result),
      );
      expect(await handle.result()).toMatchObject({
        status: 'APPROVED',
        decidedBy: { type: 'PROVIDER', id: 'SUMSUB' },
      });
    });
  });
});

describe('a start sent straight to Temporal', () => {
  it('a binary trade with an unsigned input fails before any activity: no wallet is debited', async () => {
    const mocks = recording({
      binaryOpen: async (_: unknown) => {
        throw new Error('must not be called');
      },
      binaryLoad: async (_: unknown) => undefined,
      binarySettle: async (_: unknown) => undefined,
      binaryMarkSettlementFailed: async (_: unknown) => undefined,
    });
    const tradeId = randomUUID();
    const open = {
      tradeId,
      userId: randomUUID(),
      symbol: 'BTCUSD',
      direction: 'UP' as const,
      stake: 100_000 as never,
      payoutRateBps: 8500,
      expirySeconds: 60,
    };
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(binaryTrade, {
        taskQueue,
        workflowId: `binary-signed-${tradeId}`,
        args: [{ resume: false, open }],
      });
      const err = await handle.result().then(
        () => undefined,
        (e: { cause?: ApplicationFailure }) => e.cause,
      );
      expect(err).toMatchObject({ type: 'FORBIDDEN', message: expect.stringMatching(/unsigned start input refused/) });
      // Signed, but as another user than the trade's.
      const forged = await env.client.workflow.start(binaryTrade, {
        taskQueue,
        workflowId: `binary-signed-2-${tradeId}`,
        args: [
          signedInput(`binary-signed-2-${tradeId}`, 'binaryTrade', `user:${randomUUID()}`, {
            resume: false as const,
            open,
          }),
        ],
      });
      await expect(forged.result()).rejects.toMatchObject({ cause: { type: 'FORBIDDEN' } });
    });
    expect(mocks.calls).toHaveLength(0);
  });
});

describe('what the UI and CLI show', () => {
  it('current details, the deadlines query, handler descriptions and named timers', async () => {
    const mocks = kycActivities();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const { handle, args } = await startKyc(taskQueue);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 10_000, 'opened');
      const deadlines = await handle.query(kycDeadlinesQuery);
      const started = (await handle.describe()).startTime.getTime();
      expect(deadlines.waitingFor).toBe('provider');
      expect(deadlines.hardDeadlineAt).toBeGreaterThanOrEqual(started + args.hardDeadlineMs - 1000);
      expect(deadlines.providerDeadlineAt).toBeGreaterThan(started);

      // What `temporal workflow metadata` and the UI's "Current details" read.
      const metadata = await handle.query<{
        currentDetails: string;
        definition: {
          signalDefinitions: { name: string; description: string }[];
          updateDefinitions: { name: string; description: string }[];
          queryDefinitions: { name: string; description?: string }[];
        };
      }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toMatch(
        /^Waiting for SUMSUB's result \(attempt 1 of 3\) until .*Z, then manual review; expires .*Z\.$/,
      );
      const described = (defs: { name: string; description?: string }[]) =>
        Object.fromEntries(defs.map((d) => [d.name, Boolean(d.description)]));
      expect(described(metadata.definition.signalDefinitions)).toEqual({ providerResult: true, resubmit: true });
      expect(described(metadata.definition.updateDefinitions)).toEqual({ adminDecision: true });
      expect(described(metadata.definition.queryDefinitions)).toMatchObject({ kycState: true, kycDeadlines: true });

      // The timer is named in history (the UI shows the summary on the timer event).
      const history = (await handle.fetchHistory()).events ?? [];
      const timer = history.find((e) => e.timerStartedEventAttributes);
      expect(timer?.userMetadata?.summary?.data).toBeDefined();
      expect(Buffer.from(timer!.userMetadata!.summary!.data!).toString()).toBe('"provider deadline"');
      await handle.terminate('test done');
    });
  });
});

describe('replay of a signed run', () => {
  it('replays without nondeterminism on a worker holding the key it was signed with', async () => {
    const mocks = kycActivities();
    const workflowId = await withWorker(env, mocks.activities, async (taskQueue) => {
      const { handle } = await startKyc(taskQueue);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 10_000, 'opened');
      const d = decision();
      await handle.executeUpdate(adminDecisionUpdate, {
        args: [signedFor(handle.workflowId, 'adminDecision', `admin:${d.adminId}`, d)],
      });
      await handle.result();
      return handle.workflowId;
    });
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  });
});
