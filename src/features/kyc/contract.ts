import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { KycProviderName, KycState, ProviderResult } from './rules';
import type { SignatureStamp, SignedMessage } from '../../kernel/temporal/signing';

/**
 * The kycVerification workflow's contract: its input, messages and state, imported by the
 * workflow and by its clients (KycCases, the webhook handler).
 *
 * Every message and the start input are signed by the API (kernel/temporal/signing.ts): the
 * workflow refuses an update and drops a signal that is not. Bare payloads appear only in
 * histories recorded before signing.
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

/** The start input as the API sends it: signed by `user:<userId>`. */
export type SignedKycVerificationInput = KycVerificationInput & { signed?: SignatureStamp };

export interface AdminDecision {
  decision: 'APPROVE' | 'REJECT';
  adminId: string;
  notes?: string | null;
}

/** What the case waits for and until when (the kycDeadlines query). */
export interface KycDeadlines {
  waitingFor: 'provider' | 'user' | 'admin' | 'nothing';
  /** Epoch ms; null once the provider has answered (or the case is decided). */
  providerDeadlineAt: number | null;
  /** Epoch ms: the case ends REJECTED ("expired") then. */
  hardDeadlineAt: number;
}

export const KYC_MESSAGES = {
  providerResult: 'providerResult',
  resubmit: 'resubmit',
  adminDecision: 'adminDecision',
} as const;

/** A provider webhook, verified and deduplicated by the API, signed by `provider:<NAME>`. */
export const providerResultSignal = defineSignal<[SignedMessage<ProviderResult>]>(KYC_MESSAGES.providerResult);
/** The user submits again after the provider asked for a retry (POST /kyc/start), signed by `user:<userId>`. */
export const resubmitSignal = defineSignal<[SignedMessage<{ userId: string }>?]>(KYC_MESSAGES.resubmit);
/** An admin approves or rejects, signed by `admin:<adminId>`; answers with the final state, refused (409) unless pending. */
export const adminDecisionUpdate = defineUpdate<KycState, [SignedMessage<AdminDecision>]>(KYC_MESSAGES.adminDecision);
export const kycStateQuery = defineQuery<KycState>('kycState');
export const kycDeadlinesQuery = defineQuery<KycDeadlines>('kycDeadlines');
