import type { Client, WorkflowStartOptions } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ReadDb } from '../../kernel/db/read-pool';
import { AppError } from '../../kernel/errors';
import { ownCaseRefusal, resubmissionRefusal, type KycProviderName, type KycState, type ProviderResult } from './rules';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { kycStatusOf } from './repository';
import { KycStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import { actors, type WorkflowSigner } from '../../kernel/temporal/signing';
import {
  adminDecisionUpdate,
  KYC_MESSAGES,
  KYC_WORKFLOW,
  kycStateQuery,
  kycWorkflowId,
  providerResultSignal,
  resubmitSignal,
} from './contract';
import type { kycVerification } from './workflow';

export { kycWorkflowId };

export interface KycCaseSettings {
  taskQueue: string;
  providerDeadlineMs: number;
  hardDeadlineMs: number;
  maxAttempts: number;
}

/** Starts, resubmits and decides KYC cases through their workflows; everything sent is signed. */
export class KycCases {
  constructor(
    private readonly temporal: Client,
    private readonly settings: KycCaseSettings,
    private readonly signer: WorkflowSigner,
    private readonly reads: ReadDb,
  ) {}

  private handle(userId: string) {
    return this.temporal.workflow.getHandle<typeof kycVerification>(kycWorkflowId(userId));
  }

  /** Current state of the running case, or null when no case is running. */
  async state(userId: string): Promise<KycState | null> {
    try {
      const handle = this.handle(userId);
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return null;
      // A query needs a live worker: do not let a request wait on one that is down.
      return await this.temporal.withDeadline(Date.now() + 5000, () => handle.query(kycStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /**
   * POST /kyc/start: starts the case, returns the running one while it is PENDING, or resubmits
   * into it when the provider asked for a retry. Never a second workflow for a user.
   */
  async start(
    userId: string,
    provider: KycProviderName,
  ): Promise<{ state: KycState | null; workflowId: string; resubmitted: boolean }> {
    const workflowId = kycWorkflowId(userId);
    const status = await kycStatusOf(this.reads, userId);
    if (status === 'APPROVED' || status === 'REJECTED') {
      throw new AppError('INVALID_STATE', `KYC is already ${status}`);
    }
    // The common case is a first start: try it first. Asking Temporal beforehand (describe, then
    // a query) cost two round trips on every start (profile of POST /kyc/start, bench/); only a
    // start refused because a case runs needs the running case's state. Two attempts: a case
    // may finish between the refused start and the look at it.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startWorkflow(userId, provider);
        return { state: null, workflowId, resubmitted: false };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const running = await this.state(userId);
      if (running) return this.joinRunning(userId, workflowId, running);
      if (attempt === 2) throw new AppError('INVALID_STATE', 'the KYC case is changing; try again');
    }
  }

  /** A start while a case runs: refused once decided, a resubmission when the provider asked for a retry, else the running case. */
  private async joinRunning(
    userId: string,
    workflowId: string,
    running: KycState,
  ): Promise<{ state: KycState; workflowId: string; resubmitted: boolean }> {
    // A decided case may still be running for a moment (notifying): it is over all the same.
    if (running.status === 'APPROVED' || running.status === 'REJECTED') {
      throw new AppError('INVALID_STATE', `KYC is already ${running.status}`);
    }
    if (running.status === 'AWAITING_USER') {
      const refusal = resubmissionRefusal(running);
      if (refusal) throw new AppError('INVALID_STATE', refusal);
      await this.handle(userId).signal(
        resubmitSignal,
        this.signer.message(workflowId, KYC_MESSAGES.resubmit, actors.user(userId), { userId }),
      );
      return {
        state: { ...running, status: 'PENDING', attempt: running.attempt + 1 },
        workflowId,
        resubmitted: true,
      };
    }
    return { state: running, workflowId, resubmitted: false };
  }

  private async startWorkflow(userId: string, provider: KycProviderName): Promise<void> {
    await this.temporal.workflow.start<typeof kycVerification>(
      KYC_WORKFLOW,
      kycStartOptions(this.settings, this.signer, userId, provider),
    );
  }

  async providerResult(userId: string, result: ProviderResult): Promise<boolean> {
    try {
      await this.handle(userId).signal(
        providerResultSignal,
        this.signer.message(
          kycWorkflowId(userId),
          KYC_MESSAGES.providerResult,
          actors.provider(result.provider),
          result,
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false; // no running case: acknowledged, no effect
      throw err;
    }
  }

  async decide(
    userId: string,
    adminId: string,
    decision: 'APPROVE' | 'REJECT',
    notes: string | null,
  ): Promise<KycState> {
    const ownCase = ownCaseRefusal(userId, adminId);
    if (ownCase) throw new AppError('FORBIDDEN', ownCase);
    try {
      const message = this.signer.message(kycWorkflowId(userId), KYC_MESSAGES.adminDecision, actors.admin(adminId), {
        decision,
        adminId,
        notes,
      });
      return await this.handle(userId).executeUpdate(adminDecisionUpdate, { args: [message] });
    } catch (err) {
      return fromTemporalError(err, new AppError('INVALID_STATE', 'no pending KYC case for this user'));
    }
  }
}

/** 172800000 -> "48 h", 90000 -> "90 s": durations for people. */
export function formatMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * Everything a KYC start sends besides the workflow type: the signed input, the summary and
 * details, the conflict policy and the search attributes. Exported so the kyc-start bench starts
 * its raw baseline with exactly these options.
 */
export function kycStartOptions(
  settings: KycCaseSettings,
  signer: WorkflowSigner,
  userId: string,
  provider: KycProviderName,
): WorkflowStartOptions<typeof kycVerification> {
  const workflowId = kycWorkflowId(userId);
  const input = {
    userId,
    provider,
    providerDeadlineMs: settings.providerDeadlineMs,
    hardDeadlineMs: settings.hardDeadlineMs,
    maxAttempts: settings.maxAttempts,
  };
  return {
    workflowId,
    taskQueue: settings.taskQueue,
    args: [signer.startInput(workflowId, KYC_WORKFLOW, actors.user(userId), input)],
    // What the UI and `temporal workflow describe` show first.
    staticSummary: `KYC of user ${userId} at ${provider}`,
    staticDetails: [
      `**User:** ${userId}`,
      `**Provider:** ${provider}`,
      `**Attempts:** at most ${input.maxAttempts}`,
      `**Provider deadline:** ${formatMs(input.providerDeadlineMs)} after each attempt opens, then manual review`,
      `**Expiry:** ${formatMs(input.hardDeadlineMs)} after the start: REJECTED ("expired")`,
    ].join('\n\n'),
    // A running case is never started twice: the refusal sends the caller to that case.
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: [
      { key: UserIdSearchAttribute, value: userId },
      { key: KycStatusSearchAttribute, value: 'PENDING' },
    ],
  };
}
