import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { KycProviderName, KycState, ProviderResult } from './rules';

/**
 * The kycVerification workflow's contract: its input, messages and state, imported by the
 * workflow and by its clients (KycCases, the webhook handler).
 */

export const KYC_WORKFLOW = 'kycVerification';
export const kycWorkflowId = (userId: string) => `kyc-${userId}`;

export interface KycVerificationInput {
  userId: string;
  provider: KycProviderName;
  /** No provider result after this long: flag for manual review and alert admins. */
  providerDeadlineMs: number;
  /** No decision after this long: the case ends REJECTED, reason "expired". */
  hardDeadlineMs: number;
  maxAttempts: number;
}

export interface AdminDecision {
  decision: 'APPROVE' | 'REJECT';
  adminId: string;
  notes?: string | null;
}

/** A provider webhook, verified and deduplicated by the API. */
export const providerResultSignal = defineSignal<[ProviderResult]>('providerResult');
/** The user submits again after the provider asked for a retry (POST /kyc/start). */
export const resubmitSignal = defineSignal<[]>('resubmit');
/** An admin approves or rejects; answers with the final state, refused (409) unless pending. */
export const adminDecisionUpdate = defineUpdate<KycState, [AdminDecision]>('adminDecision');
export const kycStateQuery = defineQuery<KycState>('kycState');
