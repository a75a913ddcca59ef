import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Kyc } from '../../kernel/db/entities/kyc';
import { AppError } from '../../kernel/errors';
import { ownCaseRefusal, resubmissionRefusal, type KycProviderName, type KycState, type ProviderResult } from './rules';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { KycStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import {
  adminDecisionUpdate,
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

/** Starts, resubmits and decides KYC cases through their workflows. */
export class KycCases {
  constructor(
    private readonly temporal: Client,
    private readonly settings: KycCaseSettings,
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
    em: EntityManager,
    userId: string,
    provider: KycProviderName,
  ): Promise<{ state: KycState | null; workflowId: string; resubmitted: boolean }> {
    const workflowId = kycWorkflowId(userId);
    const running = await this.state(userId);
    // A decided case may still be running for a moment (notifying): it is over all the same.
    if (running && (running.status === 'APPROVED' || running.status === 'REJECTED')) {
      throw new AppError('INVALID_STATE', `KYC is already ${running.status}`);
    }
    if (running) {
      if (running.status === 'AWAITING_USER') {
        const refusal = resubmissionRefusal(running);
        if (refusal) throw new AppError('INVALID_STATE', refusal);
        await this.handle(userId).signal(resubmitSignal);
        return {
          state: { ...running, status: 'PENDING', attempt: running.attempt + 1 },
          workflowId,
          resubmitted: true,
        };
      }
      return { state: running, workflowId, resubmitted: false };
    }
    const existing = await em.findOne(Kyc, { userId });
    if (existing && (existing.status === 'APPROVED' || existing.status === 'REJECTED')) {
      throw new AppError('INVALID_STATE', `KYC is already ${existing.status}`);
    }
    await this.temporal.workflow.start<typeof kycVerification>(KYC_WORKFLOW, {
      workflowId,
      taskQueue: this.settings.taskQueue,
      args: [
        {
          userId,
          provider,
          providerDeadlineMs: this.settings.providerDeadlineMs,
          hardDeadlineMs: this.settings.hardDeadlineMs,
          maxAttempts: this.settings.maxAttempts,
        },
      ],
      // Two concurrent starts attach to the same run instead of failing or duplicating.
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: UserIdSearchAttribute, value: userId },
        { key: KycStatusSearchAttribute, value: 'PENDING' },
      ],
    });
    return { state: null, workflowId, resubmitted: false };
  }

  async providerResult(userId: string, result: ProviderResult): Promise<boolean> {
    try {
      await this.handle(userId).signal(providerResultSignal, result);
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
      return await this.handle(userId).executeUpdate(adminDecisionUpdate, { args: [{ decision, adminId, notes }] });
    } catch (err) {
      return fromTemporalError(err, new AppError('INVALID_STATE', 'no pending KYC case for this user'));
    }
  }
}
