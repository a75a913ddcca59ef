/**
 * kycVerification with mocked activities, on the dev server global-setup started (not the
 * time-skipping test server: the SDK downloads that binary at run time and this machine cannot;
 * see test/helpers/workflow-env.ts). Deadlines are therefore given in hundreds of milliseconds,
 * and every wait is a bounded poll for a positive marker: a mocked activity having been called,
 * a query answer, the workflow's result.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { kycVerification } from '../../src/features/kyc/workflow';
import {
  adminDecisionUpdate,
  kycStateQuery,
  providerResultSignal,
  resubmitSignal,
  type KycVerificationInput,
} from '../../src/features/kyc/contract';
import type { ProviderResult } from '../../src/features/kyc/rules';
import { KycCases, kycWorkflowId } from '../../src/features/kyc/cases';
import { eventually } from '../helpers/eventually';
import { recording, withWorker, workflowBundle, workflowTestEnv } from '../helpers/workflow-env';
import { signedFor, signedInput, TEST_WORKFLOW_SIGNING_KEY } from '../helpers/signing';
import { WorkflowSigner } from '../../src/kernel/temporal/signing';
import type { AdminDecision } from '../../src/features/kyc/contract';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await workflowTestEnv();
  await workflowBundle();
});
afterAll(() => env?.teardown());

/** Activities that succeed at once; `overrides` replace some. Provider ids are `prov-<attempt>`. */
function kycActivities(overrides: Record<string, (input: any) => Promise<unknown>> = {}) {
  let created = 0;
  return recording({
    kycRecordPending: async (_: unknown) => undefined,
    kycCreateVerification: async (_: unknown) => `prov-${++created}`,
    kycRecordProviderEvent: async (_: unknown) => undefined,
    kycAwaitUser: async (_: unknown) => undefined,
    kycFlagForManualReview: async (_: unknown) => undefined,
    kycFinalize: async (_: unknown) => undefined,
    kycNotifyDecision: async (_: unknown) => undefined,
    ...overrides,
  });
}

function input(overrides: Partial<KycVerificationInput> = {}): KycVerificationInput {
  return {
    userId: randomUUID(),
    provider: 'SUMSUB',
    providerDeadlineMs: 60_000,
    hardDeadlineMs: 120_000,
    maxAttempts: 3,
    ...overrides,
  };
}

function providerResult(providerId: string, outcome: ProviderResult['outcome'], occurredAt: number): ProviderResult {
  return { provider: 'SUMSUB', providerId, outcome, occurredAt, eventId: randomUUID(), reason: `${outcome} reason` };
}

/** The ApplicationFailure at the root of a client error (update refused, workflow failed). */
async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as typeof e) {
      if (e instanceof ApplicationFailure) return e;
    }
    throw err;
  }
  throw new Error('expected a failure, got a result');
}

const start = (taskQueue: string, args: KycVerificationInput) =>
  env.client.workflow.start(kycVerification, {
    taskQueue,
    workflowId: `kyc-test-${args.userId}`,
    args: [signedInput(`kyc-test-${args.userId}`, 'kycVerification', `user:${args.userId}`, args)],
  });

// Messages signed as the API signs them (kernel/temporal/signing.ts).
type Handle = { workflowId: string };
const providerSigned = (h: Handle, r: ProviderResult) =>
  signedFor(h.workflowId, 'providerResult', `provider:${r.provider}`, r);
const resubmission = (h: Handle) => {
  const userId = h.workflowId.replace(/^kyc-test-/, '');
  return signedFor(h.workflowId, 'resubmit', `user:${userId}`, { userId });
};
const adminSigned = (h: Handle, d: AdminDecision) => signedFor(h.workflowId, 'adminDecision', `admin:${d.adminId}`, d);

describe('kycVerification deadlines', () => {
  it('no provider result before the provider deadline -> flagged for manual review once; an admin then approves', async () => {
    const mocks = kycActivities();
    const args = input({ providerDeadlineMs: 400 });
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      const flagged = await eventually(async () => mocks.callsOf('kycFlagForManualReview')[0], 15_000, 'manual review');
      expect(flagged.input).toEqual({ userId: args.userId, waitedMs: 400 });
      const opened = mocks.callsOf('kycRecordPending')[0]!;
      expect(flagged.at - opened.at).toBeGreaterThanOrEqual(400);
      expect(await handle.query(kycStateQuery)).toMatchObject({
        status: 'PENDING',
        needsManualReview: true,
        providerId: 'prov-1',
      });

      const adminId = randomUUID();
      const decided = await handle.executeUpdate(adminDecisionUpdate, {
        args: [adminSigned(handle, { decision: 'APPROVE', adminId })],
      });
      expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: { type: 'ADMIN', id: adminId }, reason: null });
      expect(await handle.result()).toMatchObject({ status: 'APPROVED' });
    });
    // The deadline flags once, not again on every later wake-up.
    expect(mocks.callsOf('kycFlagForManualReview')).toHaveLength(1);
    expect(mocks.callsOf('kycFinalize').map((c) => c.input.status)).toEqual(['APPROVED']);
    expect(mocks.callsOf('kycNotifyDecision').map((c) => c.input.status)).toEqual(['APPROVED']);
  });

  it('no decision before the hard deadline -> REJECTED "expired" by the system', async () => {
    const mocks = kycActivities();
    // The provider deadline lies beyond the hard one, so nothing but the expiry can happen.
    const args = input({ providerDeadlineMs: 60_000, hardDeadlineMs: 1_500 });
    const startedBefore = Date.now();
    const result = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      return handle.result();
    });
    expect(result).toMatchObject({
      status: 'REJECTED',
      reason: 'expired',
      decidedBy: { type: 'SYSTEM', id: 'kyc-workflow' },
      needsManualReview: false,
    });
    const [finalized] = mocks.callsOf('kycFinalize');
    expect(finalized!.input).toMatchObject({ userId: args.userId, status: 'REJECTED', reason: 'expired' });
    expect(finalized!.at - startedBefore).toBeGreaterThanOrEqual(1_500); // the deadline counts from the start
    expect(mocks.calls.map((c) => c.name)).toEqual([
      'kycRecordPending',
      'kycCreateVerification',
      'kycFinalize',
      'kycNotifyDecision',
    ]);
  });
});

describe('kycVerification resubmission', () => {
  it('RETRY -> awaiting the user; a resubmission opens attempt 2; RETRY at the limit rejects the case', async () => {
    const mocks = kycActivities();
    const args = input({ maxAttempts: 2 });
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 15_000, 'attempt 1');

      await handle.signal(providerResultSignal, providerSigned(handle, providerResult('prov-1', 'RETRY', 1_000)));
      await eventually(async () => mocks.callsOf('kycAwaitUser')[0], 15_000, 'awaiting the user');
      expect(await handle.query(kycStateQuery)).toMatchObject({ status: 'AWAITING_USER', attempt: 1 });

      await handle.signal(resubmitSignal, resubmission(handle));
      const second = await eventually(
        async () => {
          const s = await handle.query(kycStateQuery);
          return s.providerId === 'prov-2' ? s : undefined;
        },
        15_000,
        'attempt 2',
      );
      expect(second).toMatchObject({ status: 'PENDING', attempt: 2 });
      expect(mocks.callsOf('kycRecordPending').map((c) => c.input.attempt)).toEqual([1, 2]);

      // A late answer about attempt 1's session must not decide attempt 2; the next one does.
      await handle.signal(providerResultSignal, providerSigned(handle, providerResult('prov-1', 'APPROVED', 2_000)));
      await handle.signal(providerResultSignal, providerSigned(handle, providerResult('prov-2', 'RETRY', 3_000)));
      expect(await handle.result()).toMatchObject({
        status: 'REJECTED',
        reason: 'resubmission limit reached',
        attempt: 2,
        decidedBy: { type: 'PROVIDER', id: 'SUMSUB' },
      });
    });
    expect(mocks.callsOf('kycRecordProviderEvent').map((c) => c.input.result.providerId)).toEqual(['prov-1', 'prov-2']);
    expect(mocks.callsOf('kycCreateVerification')).toHaveLength(2);
    expect(mocks.callsOf('kycFinalize').map((c) => c.input.status)).toEqual(['REJECTED']);
  });

  it('a resubmission while the provider has not asked for one changes nothing', async () => {
    const mocks = kycActivities();
    const args = input();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 15_000, 'attempt 1');
      await handle.signal(resubmitSignal, resubmission(handle));
      // Signals are handled in order: once the approval has decided the case, the resubmission was seen.
      await handle.signal(providerResultSignal, providerSigned(handle, providerResult('prov-1', 'APPROVED', 1_000)));
      expect(await handle.result()).toMatchObject({ status: 'APPROVED', attempt: 1 });
    });
    expect(mocks.callsOf('kycRecordPending')).toHaveLength(1);
    expect(mocks.callsOf('kycCreateVerification')).toHaveLength(1);
  });
});

describe('kycVerification admin decision update', () => {
  it('refuses an admin deciding their own case and a second decision; accepts one REJECT', async () => {
    let releaseFinalize!: () => void;
    const finalizeGate = new Promise<void>((r) => (releaseFinalize = r));
    const mocks = kycActivities({ kycFinalize: () => finalizeGate });
    const args = input();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 15_000, 'attempt 1');

      const own = await failureOf(
        handle.executeUpdate(adminDecisionUpdate, {
          args: [adminSigned(handle, { decision: 'APPROVE', adminId: args.userId })],
        }),
      );
      expect(own.message).toBe('an admin cannot decide their own KYC');
      expect(own.nonRetryable).toBe(true);
      expect(await handle.query(kycStateQuery)).toMatchObject({ status: 'PENDING', decidedBy: null });

      const adminId = randomUUID();
      const first = handle.executeUpdate(adminDecisionUpdate, {
        args: [adminSigned(handle, { decision: 'REJECT', adminId, notes: 'document does not match' })],
      });
      // The first decision is being applied (finalize is held): a second one is refused.
      await eventually(async () => mocks.callsOf('kycFinalize')[0], 15_000, 'finalize started');
      const second = await failureOf(
        handle.executeUpdate(adminDecisionUpdate, {
          args: [adminSigned(handle, { decision: 'APPROVE', adminId: randomUUID() })],
        }),
      );
      expect(second.message).toBe('the case has already been decided');

      releaseFinalize();
      expect(await first).toMatchObject({
        status: 'REJECTED',
        reason: 'document does not match',
        decidedBy: { type: 'ADMIN', id: adminId },
      });
      expect(await handle.result()).toMatchObject({ status: 'REJECTED' });
    });
    expect(mocks.callsOf('kycFinalize').map((c) => c.input)).toEqual([
      {
        userId: args.userId,
        status: 'REJECTED',
        actor: { type: 'ADMIN', id: expect.any(String) },
        reason: 'document does not match',
      },
    ]);
  });
});

describe('kycVerification provider calls', () => {
  it('a provider call that fails transiently is retried and the case goes on', async () => {
    let attempts = 0;
    const mocks = kycActivities({
      kycCreateVerification: async () => {
        if (++attempts === 1) throw new Error('provider answered 503');
        return 'prov-after-retry';
      },
    });
    const args = input();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await start(taskQueue, args);
      // The retry policy waits 5 s before the second attempt.
      await eventually(
        async () => (await handle.query(kycStateQuery)).providerId === 'prov-after-retry',
        30_000,
        'the retried provider call',
      );
      await handle.signal(
        providerResultSignal,
        providerSigned(handle, providerResult('prov-after-retry', 'APPROVED', 1_000)),
      );
      expect(await handle.result()).toMatchObject({ status: 'APPROVED', decidedBy: { type: 'PROVIDER' } });
    });
    const [a, b] = mocks.callsOf('kycCreateVerification');
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(5_000);
    expect(mocks.callsOf('kycCreateVerification')).toHaveLength(2);
  });

  it('a provider refusal (non-retryable) is not retried and fails the case with its type', async () => {
    const mocks = kycActivities({
      kycCreateVerification: async () => {
        throw ApplicationFailure.create({ type: 'ProviderRejected', message: 'applicant refused', nonRetryable: true });
      },
    });
    const args = input();
    const failure = await withWorker(env, mocks.activities, async (taskQueue) =>
      failureOf((await start(taskQueue, args)).result()),
    );
    expect([failure.type, failure.message]).toEqual(['ProviderRejected', 'applicant refused']);
    expect(mocks.callsOf('kycCreateVerification')).toHaveLength(1);
    expect(mocks.callsOf('kycFinalize')).toHaveLength(0);
  });
});

describe('a decided case whose workflow is still finishing', () => {
  it('a new start is refused with INVALID_STATE while the decision is being notified, never a 202', async () => {
    let release!: () => void;
    const notifying = new Promise<void>((resolve) => (release = resolve));
    // The decision is recorded; its notification hangs, so the workflow is decided but still running.
    const mocks = kycActivities({ kycNotifyDecision: () => notifying });
    const args = input();
    await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await env.client.workflow.start(kycVerification, {
        taskQueue,
        workflowId: kycWorkflowId(args.userId),
        args: [signedInput(kycWorkflowId(args.userId), 'kycVerification', `user:${args.userId}`, args)],
      });
      await eventually(async () => (await handle.query(kycStateQuery)).providerId === 'prov-1', 15_000, 'attempt 1');
      await handle.signal(
        providerResultSignal,
        providerSigned(handle, providerResult('prov-1', 'REJECTED', Date.now())),
      );
      await eventually(async () => mocks.callsOf('kycNotifyDecision')[0], 15_000, 'notifying the decision');
      expect((await handle.describe()).status.name).toBe('RUNNING');

      try {
        const cases = new KycCases(
          env.client,
          {
            taskQueue,
            providerDeadlineMs: 60_000,
            hardDeadlineMs: 120_000,
            maxAttempts: 3,
          },
          new WorkflowSigner(TEST_WORKFLOW_SIGNING_KEY),
          // The database has no decided row yet (its projection may lag the workflow): the start
          // is refused by Temporal and the running case answers.
          { rows: async () => [] },
        );
        await expect(cases.start(args.userId, 'SUMSUB')).rejects.toMatchObject({
          code: 'INVALID_STATE',
          message: 'KYC is already REJECTED',
        });
      } finally {
        release(); // also when the expectation fails: the worker waits for its activities
      }
      expect((await handle.result()).status).toBe('REJECTED');
      expect(mocks.callsOf('kycCreateVerification')).toHaveLength(1);
    });
  });
});
