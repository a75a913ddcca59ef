import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SignatureStamp, SignedMessage } from '../../kernel/temporal/signing';

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

/** The start input as sent, signed by `system:aml` (kernel/temporal/signing.ts); unsigned: the run fails at once. */
export type SignedAmlFreezeInput = AmlFreezeInput & { signed?: SignatureStamp };

/** Who sends what: the AML checks (through the outbox) open cases and add findings. */
export const AML_ACTOR = 'system:aml';

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

/** What the case waits for and until when (the amlDeadlines query). */
export interface AmlDeadlines {
  waitingFor: 'admin decision' | 'second approval' | 'nothing';
  /** Epoch ms of the next reminder to the admins; null once decided. */
  nextReminderAt: number | null;
}

export const AML_MESSAGES = { finding: 'finding', decision: 'decision' } as const;

/** A critical finding, signed by `system:aml`. */
export const findingSignal = defineSignal<[SignedMessage<AmlFindingSignal>]>(AML_MESSAGES.finding);
/**
 * UNFREEZE needs two different admins; KEEP_FROZEN closes the case. Signed by `admin:<adminId>`;
 * refused (409) once decided, 403 when unsigned.
 */
export const decisionUpdate = defineUpdate<AmlCaseState, [SignedMessage<AmlDecision>]>(AML_MESSAGES.decision);
export const amlCaseQuery = defineQuery<AmlCaseState>('amlCase');
export const amlDeadlinesQuery = defineQuery<AmlDeadlines>('amlDeadlines');
