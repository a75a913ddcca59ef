import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/logger';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { AmlCaseStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import {
  AML_FREEZE_WORKFLOW,
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
}

/** The freeze cases, through their `amlFreeze` workflows: open/join, list, decide. */
export class AmlCases {
  constructor(private readonly deps: AmlCasesDeps) {}

  /** Opens the user's case or adds the finding to the open one (signal-with-start). */
  async requestFreeze(request: AmlFreezePayload): Promise<void> {
    await this.deps.temporal.workflow.signalWithStart<typeof amlFreeze, [AmlFindingSignal]>(AML_FREEZE_WORKFLOW, {
      workflowId: amlWorkflowId(request.userId),
      taskQueue: this.deps.taskQueue,
      args: [{ userId: request.userId, reminderIntervalMs: this.deps.reminderIntervalMs }],
      signal: findingSignal,
      signalArgs: [{ checkIds: request.checkIds, reasons: request.reasons }],
      typedSearchAttributes: [
        { key: UserIdSearchAttribute, value: request.userId },
        { key: AmlCaseStatusSearchAttribute, value: 'FROZEN' },
      ],
    });
  }

  /**
   * Running freeze cases of this deployment's task queue, with their state. Each query gets a
   * short deadline: a case whose worker is down is skipped (logged) instead of stalling the list.
   */
  async openCases(limit = 100): Promise<AmlCaseState[]> {
    const out: AmlCaseState[] = [];
    const query = `WorkflowType = "${AML_FREEZE_WORKFLOW}" AND ExecutionStatus = "Running" AND TaskQueue = "${this.deps.taskQueue}"`;
    for await (const wf of this.deps.temporal.workflow.list({ query })) {
      if (out.length >= limit) break;
      try {
        const handle = this.deps.temporal.workflow.getHandle(wf.workflowId);
        out.push(await this.deps.temporal.withDeadline(Date.now() + 3000, () => handle.query(amlCaseQuery)));
      } catch (err) {
        this.deps.logger.warn({ err, workflowId: wf.workflowId }, 'could not query AML case');
      }
    }
    return out;
  }

  async decide(userId: string, decision: AmlDecision): Promise<AmlCaseState> {
    if (userId === decision.adminId) throw new AppError('FORBIDDEN', 'an admin cannot decide their own AML case');
    try {
      return await this.deps.temporal.workflow
        .getHandle(amlWorkflowId(userId))
        .executeUpdate(decisionUpdate, { args: [decision] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new AppError('NOT_FOUND', 'no open AML case for this user');
      return fromTemporalError(err, new AppError('NOT_FOUND', 'no open AML case for this user'));
    }
  }
}
