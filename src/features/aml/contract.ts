import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * The amlFreeze workflow's contract: its input, messages and state, imported by the workflow
 * and by its clients (the AML cases service, the API), so both sides name them once.
 */

export const AML_FREEZE_WORKFLOW = 'amlFreeze';
export const amlWorkflowId = (userId: string) => `aml-freeze-${userId}`;

export interface AmlFreezeInput {
  userId: string;
  /** Remind admins after this long without a decision, and again after each further interval. */
  reminderIntervalMs: number;
}

/** A critical finding (from runAMLChecks); the first one starts the case, later ones join it. */
export interface AmlFindingSignal {
  checkIds: string[];
  reasons: string[];
}

export interface AmlDecision {
  decision: 'UNFREEZE' | 'KEEP_FROZEN';
  adminId: string;
  notes?: string | null;
}

export type AmlCaseStatus = 'FROZEN' | 'UNFROZEN' | 'CLOSED_FROZEN';

export interface AmlCaseState {
  userId: string;
  status: AmlCaseStatus;
  findings: AmlFindingSignal[];
  approvals: string[];
  remindersSent: number;
  decidedBy: string[];
  notes: string | null;
}

export const findingSignal = defineSignal<[AmlFindingSignal]>('finding');
/** UNFREEZE needs two different admins; KEEP_FROZEN closes the case. Refused (409) once decided. */
export const decisionUpdate = defineUpdate<AmlCaseState, [AmlDecision]>('decision');
export const amlCaseQuery = defineQuery<AmlCaseState>('amlCase');
