/**
 * amlFreeze with mocked activities, on the dev server global-setup started (not the
 * time-skipping test server: the SDK downloads that binary at run time and this machine cannot;
 * see test/helpers/workflow-env.ts). The reminder interval is under a second, and every wait is
 * a bounded poll for a positive marker: a mocked activity having been called, a query answer,
 * the workflow's result.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { amlFreeze } from '../../src/features/aml/workflow';
import {
  amlCaseQuery,
  decisionUpdate,
  findingSignal,
  type AmlDecision,
  type AmlFindingSignal,
} from '../../src/features/aml/contract';
import { eventually } from '../helpers/eventually';
import { recording, withWorker, workflowBundle, workflowTestEnv } from '../helpers/workflow-env';
import { signedFor, signedInput } from '../helpers/signing';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await workflowTestEnv();
  await workflowBundle();
});
afterAll(() => env?.teardown());

function amlActivities(overrides: Record<string, (input: any) => Promise<unknown>> = {}) {
  return recording({
    amlFreezeAccount: async (_: unknown) => undefined,
    amlRemindAdmins: async (_: unknown) => undefined,
    amlUnfreezeAccount: async (_: unknown) => undefined,
    amlCloseCaseFrozen: async (_: unknown) => undefined,
    ...overrides,
  });
}

const finding: AmlFindingSignal = { checkIds: ['check-1'], reasons: ['sanctions list match'] };

const startCase = (taskQueue: string, userId: string, reminderIntervalMs: number) =>
  env.client.workflow.signalWithStart(amlFreeze, {
    taskQueue,
    workflowId: `aml-test-${userId}`,
    args: [signedInput(`aml-test-${userId}`, 'amlFreeze', 'system:aml', { userId, reminderIntervalMs })],
    signal: findingSignal,
    signalArgs: [signedFor(`aml-test-${userId}`, 'finding', 'system:aml', finding)],
  });

/** A decision signed as the API signs it (kernel/temporal/signing.ts). */
const adminSigned = (h: { workflowId: string }, d: AmlDecision) =>
  signedFor(h.workflowId, 'decision', `admin:${d.adminId}`, d);

/** The ApplicationFailure an update was refused with. */
async function refusalOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: { cause?: unknown }) => e,
  );
  if (!(err?.cause instanceof ApplicationFailure)) throw new Error(`expected a refused update, got ${String(err)}`);
  return err.cause;
}

describe('amlFreeze', () => {
  it('freezes with the finding, reminds admins every interval, and unfreezes on two different admins', async () => {
    const userId = randomUUID();
    const interval = 700;
    const mocks = amlActivities();
    const result = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await startCase(taskQueue, userId, interval);
      const reminders = await eventually(
        async () => {
          const r = mocks.callsOf('amlRemindAdmins');
          return r.length >= 2 ? r : undefined;
        },
        15_000,
        'two reminders',
      );
      const [frozen] = mocks.callsOf('amlFreezeAccount');
      expect(frozen!.input).toMatchObject({ userId, reasons: ['sanctions list match'] });
      expect(reminders.slice(0, 2).map((r) => r.input.reminder)).toEqual([1, 2]);
      expect(reminders[0]!.at - frozen!.at).toBeGreaterThanOrEqual(interval);
      expect(reminders[1]!.at - reminders[0]!.at).toBeGreaterThanOrEqual(interval);
      expect(reminders[0]!.input.since).toBe(reminders[1]!.input.since);

      const decide = (d: AmlDecision) => handle.executeUpdate(decisionUpdate, { args: [adminSigned(handle, d)] });
      const [adminA, adminB] = [randomUUID(), randomUUID()];
      expect(await decide({ decision: 'UNFREEZE', adminId: adminA })).toMatchObject({
        status: 'FROZEN',
        approvals: [adminA],
      });
      const twice = await refusalOf(decide({ decision: 'UNFREEZE', adminId: adminA }));
      expect(twice.message).toBe('this admin has already approved; a second, different admin must approve');
      expect(await handle.query(amlCaseQuery)).toMatchObject({ status: 'FROZEN', approvals: [adminA] });

      expect(await decide({ decision: 'UNFREEZE', adminId: adminB, notes: 'false positive' })).toMatchObject({
        status: 'UNFROZEN',
        approvals: [adminA, adminB],
      });
      return handle.result();
    });
    expect(result).toMatchObject({ userId, status: 'UNFROZEN', findings: [finding], notes: 'false positive' });
    expect(mocks.callsOf('amlUnfreezeAccount').map((c) => c.input)).toEqual([
      expect.objectContaining({
        userId,
        approvals: [result.approvals[0], result.approvals[1]],
        notes: 'false positive',
      }),
    ]);
    expect(mocks.callsOf('amlCloseCaseFrozen')).toHaveLength(0);
    expect(mocks.callsOf('amlFreezeAccount')).toHaveLength(1);
  });

  it('KEEP_FROZEN by one admin closes the case frozen; a decision while it closes is refused', async () => {
    const userId = randomUUID();
    let releaseClose!: () => void;
    const closeGate = new Promise<void>((r) => (releaseClose = r));
    const mocks = amlActivities({ amlCloseCaseFrozen: () => closeGate });
    const result = await withWorker(env, mocks.activities, async (taskQueue) => {
      const handle = await startCase(taskQueue, userId, 60_000);
      await eventually(async () => mocks.callsOf('amlFreezeAccount')[0], 15_000, 'the freeze');
      const adminA = randomUUID();
      const kept = handle.executeUpdate(decisionUpdate, {
        args: [adminSigned(handle, { decision: 'KEEP_FROZEN', adminId: adminA, notes: 'confirmed match' })],
      });
      await eventually(async () => mocks.callsOf('amlCloseCaseFrozen')[0], 15_000, 'closing the case');
      const late = await refusalOf(
        handle.executeUpdate(decisionUpdate, {
          args: [adminSigned(handle, { decision: 'UNFREEZE', adminId: randomUUID() })],
        }),
      );
      expect(late.message).toBe('the case is already CLOSED_FROZEN');
      releaseClose();
      expect(await kept).toMatchObject({ status: 'CLOSED_FROZEN', decidedBy: [adminA], notes: 'confirmed match' });
      return handle.result();
    });
    expect(result).toMatchObject({ status: 'CLOSED_FROZEN', approvals: [] });
    expect(mocks.callsOf('amlCloseCaseFrozen').map((c) => c.input)).toEqual([
      expect.objectContaining({ userId, adminId: result.decidedBy[0], notes: 'confirmed match' }),
    ]);
    expect(mocks.callsOf('amlUnfreezeAccount')).toHaveLength(0);
    expect(mocks.callsOf('amlRemindAdmins')).toHaveLength(0);
  });
});
