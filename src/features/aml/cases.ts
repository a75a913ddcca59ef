import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/logger';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { AmlCaseStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import { actors, type SignedMessage, type WorkflowSigner } from '../../kernel/temporal/signing';
import {
  AML_ACTOR,
  AML_FREEZE_WORKFLOW,
  AML_MESSAGES,
  amlCaseQuery,
  amlWorkflowId,
  decisionUpdate,
  findingSignal,
  type AmlCaseState,
  type AmlDecision,
  type AmlFindingSignal,
} from './contract';
import type { AmlFreezePayload } from './messages';
import type { amlFreeze } from './workflow';

export interface AmlCasesDeps {
  temporal: Client;
  taskQueue: string;
  reminderIntervalMs: number;
  logger: Logger;
  signer: WorkflowSigner;
}

/** The freeze cases' `amlFreeze` workflows: open/join, read the open freeze's state, decide. */
export class AmlCases {
  constructor(private readonly deps: AmlCasesDeps) {}

  /** Opens the user's case or adds the finding to the open one (signal-with-start). */
  async requestFreeze(request: AmlFreezePayload): Promise<void> {
    const workflowId = amlWorkflowId(request.userId);
    const { signer } = this.deps;
    const finding: AmlFindingSignal = { checkIds: request.checkIds, reasons: request.reasons };
    await this.deps.temporal.workflow.signalWithStart<typeof amlFreeze, [SignedMessage<AmlFindingSignal>]>(
      AML_FREEZE_WORKFLOW,
      {
        workflowId,
        taskQueue: this.deps.taskQueue,
        args: [
          signer.startInput(workflowId, AML_FREEZE_WORKFLOW, AML_ACTOR, {
            userId: request.userId,
            reminderIntervalMs: this.deps.reminderIntervalMs,
          }),
        ],
        signal: findingSignal,
        signalArgs: [signer.message(workflowId, AML_MESSAGES.finding, AML_ACTOR, finding)],
        staticSummary: `AML freeze of user ${request.userId}: ${request.reasons.join('; ')}`,
        staticDetails: [
          `**User:** ${request.userId}`,
          `**First finding:** ${request.reasons.join('; ')} (checks ${request.checkIds.join(', ')})`,
          `**Unfreeze:** two different admins; KEEP_FROZEN: one`,
          `**Reminders:** every ${Math.round(this.deps.reminderIntervalMs / 60_000)} min until decided`,
        ].join('\n\n'),
        typedSearchAttributes: [
          { key: UserIdSearchAttribute, value: request.userId },
          { key: AmlCaseStatusSearchAttribute, value: 'FROZEN' },
        ],
      },
    );
  }

  /**
   * The freeze workflow's state while the user's freeze is open (the first unfreeze approval lives
   * there until the case closes), else null. A short deadline: a worker that is down shows no state
   * rather than stalling the page; the case record is read from the table either way.
   */
  async freezeState(userId: string): Promise<AmlCaseState | null> {
    try {
      const handle = this.deps.temporal.workflow.getHandle(amlWorkflowId(userId));
      const state = await this.deps.temporal.withDeadline(Date.now() + 3000, () => handle.query(amlCaseQuery));
      return state.status === 'FROZEN' ? state : null;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        this.deps.logger.warn({ err, userId }, 'could not query the AML freeze workflow');
      }
      return null;
    }
  }

  async decide(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    if (userId === decision.adminId) throw new AppError('FORBIDDEN', 'an admin cannot decide their own AML case');
    try {
      return await this.deps.temporal.workflow.getHandle(amlWorkflowId(userId)).executeUpdate(decisionUpdate, {
        args: [
          this.deps.signer.message(
            amlWorkflowId(userId),
            AML_MESSAGES.decision,
            actors.admin(decision.adminId),
            decision,
          ),
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('NOT_FOUND', 'no open AML case for this user');
      return fromTemporalError(err, new AppError('NOT_FOUND', 'no open AML case for this user'));
    }
  }
}
