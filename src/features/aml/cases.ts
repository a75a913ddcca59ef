import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/logger';
import { deliverOutboxNow } from '../../kernel/outbox-relay';
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
import { AML_FREEZE_TOPIC, type AmlFreezePayload } from './messages';
import { recordDecision } from './case-repository';
import type { amlFreeze } from './workflow';

export interface AmlCasesDeps {
  temporal: Client;
  /** For a decision that arrives before the outbox relay has started the case's workflow. */
  orm: MikroORM;
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

  /**
   * An admin's decision, as an update of the user's freeze workflow. The case record and the
   * freeze commit with the crossing movement, and the relay starts the workflow a moment later:
   * a decision in that moment starts it from the pending outbox row itself, then decides. Once
   * the workflow accepted it, the decision joins the case's record (for every caller: the JSON
   * API and the console).
   */
  async decide(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    if (userId === decision.adminId) throw new AppError('FORBIDDEN', 'an admin cannot decide their own AML case');
    const state = await this.decideInWorkflow(userId, decision);
    await recordDecision(this.deps.orm.em.fork(), userId, decision.adminId, decision.decision, decision.notes ?? null);
    return state;
  }

  private async decideInWorkflow(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    const notFound = new AppError('NOT_FOUND', 'no open AML case for this user');
    try {
      return await this.sendDecision(userId, decision);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) return fromTemporalError(err, notFound);
    }
    const started = await deliverOutboxNow(this.deps.orm, AML_FREEZE_TOPIC, { userId }, (record) =>
      this.requestFreeze(record.payload as AmlFreezePayload),
    );
    if (started === 0) throw notFound;
    try {
      return await this.sendDecision(userId, decision);
    } catch (err) {
      return fromTemporalError(err, notFound);
    }
  }

  private sendDecision(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    const workflowId = amlWorkflowId(userId);
    return this.deps.temporal.workflow.getHandle(workflowId).executeUpdate(decisionUpdate, {
      args: [this.deps.signer.message(workflowId, AML_MESSAGES.decision, actors.admin(decision.adminId), decision)],
    });
  }
}
