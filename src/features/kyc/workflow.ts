import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { KycActivities } from './activities';
import {
  adminDecisionRefusal,
  applyProviderResult,
  resubmissionRefusal,
  type KycActor,
  type KycState,
  type ProviderResult,
} from './rules';
import {
  adminDecisionUpdate,
  kycStateQuery,
  providerResultSignal,
  resubmitSignal,
  type AdminDecision,
  type KycVerificationInput,
} from './contract';
import { domainFailure } from '../../kernel/temporal/domain-failure';
import { KycStatusSearchAttribute } from '../../kernel/temporal/search-attributes';

const db = proxyActivities<KycActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Seed kyc.queue: 3 attempts, exponential backoff from 5 s.
const provider = proxyActivities<KycActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '5 seconds', backoffCoefficient: 2 },
});

/**
 * One KYC case per user (workflow id `kyc-<userId>`): open it, create the verification at the
 * provider, then wait for a provider result (signal) or an admin decision (update), with a
 * provider deadline (manual review) and a hard deadline (expiry). A provider "retry" waits for
 * the user to resubmit, at most `maxAttempts` attempts in all; a provider "review" (a person at the
 * provider looks at it) keeps the case waiting on the same attempt for the decision that follows.
 */
export async function kycVerification(input: KycVerificationInput): Promise<KycState> {
  const { workflowId } = workflowInfo();
  const state: KycState = {
    userId: input.userId,
    provider: input.provider,
    status: 'PENDING',
    attempt: 1,
    maxAttempts: input.maxAttempts,
    providerId: null,
    needsManualReview: false,
    lastProviderEventAt: null,
    decidedBy: null,
    reason: null,
  };
  const inbox: ProviderResult[] = [];
  let adminDecision: AdminDecision | undefined;
  let resubmitted = false;
  let finalized = false;
  let decision:
    | { status: 'APPROVED' | 'REJECTED'; actor: KycActor; reason: string | null; verifiedDateOfBirth?: string | null }
    | undefined;

  setHandler(kycStateQuery, () => state);
  // Webhooks are deduplicated by the API too; this catches a redelivery racing its twin.
  const seenEvents = new Set<string>();
  setHandler(providerResultSignal, (result) => {
    if (seenEvents.has(result.eventId)) return;
    seenEvents.add(result.eventId);
    inbox.push(result);
  });
  setHandler(resubmitSignal, () => {
    if (resubmissionRefusal(state) === null) resubmitted = true;
  });
  setHandler(
    adminDecisionUpdate,
    async (decision) => {
      adminDecision ??= decision;
      await condition(() => finalized);
      return state;
    },
    {
      validator: (update) => {
        const refusal =
          adminDecision || decision ? 'the case has already been decided' : adminDecisionRefusal(state, update.adminId);
        if (refusal) throw domainFailure('INVALID_STATE', refusal);
      },
    },
  );

  const startedAt = Date.now(); // workflow time: deterministic on replay
  const hardDeadlineAt = startedAt + input.hardDeadlineMs;

  const setStatus = (status: KycState['status']) => {
    state.status = status;
    upsertSearchAttributes([{ key: KycStatusSearchAttribute, value: status }]);
  };

  const openAttempt = async () => {
    await db.kycRecordPending({ userId: input.userId, provider: input.provider, workflowId, attempt: state.attempt });
    state.providerId = await provider.kycCreateVerification({ userId: input.userId, provider: input.provider });
  };

  await openAttempt();
  let providerDeadlineAt = Date.now() + input.providerDeadlineMs;

  while (!decision) {
    const waitingOnProvider = state.status === 'PENDING' && !state.needsManualReview;
    const wakeAt = waitingOnProvider ? Math.min(providerDeadlineAt, hardDeadlineAt) : hardDeadlineAt;
    const woken = await condition(
      () => inbox.length > 0 || adminDecision !== undefined || resubmitted,
      Math.max(wakeAt - Date.now(), 1),
    );

    if (adminDecision) {
      const approve = adminDecision.decision === 'APPROVE';
      decision = {
        status: approve ? 'APPROVED' : 'REJECTED',
        actor: { type: 'ADMIN', id: adminDecision.adminId },
        reason: adminDecision.notes ?? (approve ? null : 'rejected by an administrator'),
      };
    } else if (resubmitted) {
      resubmitted = false;
      state.attempt += 1;
      state.needsManualReview = false;
      state.providerId = null;
      setStatus('PENDING');
      await openAttempt();
      providerDeadlineAt = Date.now() + input.providerDeadlineMs;
    } else if (inbox.length > 0) {
      const result = inbox.shift()!;
      const effect = applyProviderResult(state, result);
      if (effect.kind === 'ignore') continue;
      state.lastProviderEventAt = result.occurredAt;
      await db.kycRecordProviderEvent({ userId: input.userId, result });
      if (effect.kind === 'decide') {
        decision = {
          status: effect.status,
          actor: { type: 'PROVIDER', id: result.provider },
          reason: effect.reason,
          // Only the approving provider's reading of the document counts as verified.
          verifiedDateOfBirth: effect.status === 'APPROVED' ? (result.verifiedDateOfBirth ?? null) : null,
        };
      } else if (effect.kind === 'await-user') {
        setStatus('AWAITING_USER');
        await db.kycAwaitUser({ userId: input.userId, reason: result.reason ?? null });
      }
      // 'wait' (the provider is reviewing): recorded above; the case stays as it is.
    } else if (!woken && Date.now() >= hardDeadlineAt) {
      decision = { status: 'REJECTED', actor: { type: 'SYSTEM', id: 'kyc-workflow' }, reason: 'expired' };
    } else if (!woken && waitingOnProvider && Date.now() >= providerDeadlineAt) {
      state.needsManualReview = true;
      await db.kycFlagForManualReview({ userId: input.userId, waitedMs: input.providerDeadlineMs });
    }
  }

  await db.kycFinalize({ userId: input.userId, ...decision });
  state.decidedBy = decision.actor;
  state.reason = decision.reason;
  setStatus(decision.status);
  await db.kycNotifyDecision({ userId: input.userId, status: decision.status, reason: decision.reason, workflowId });
  finalized = true;
  // Let a pending admin update return its answer before the run completes.
  await condition(allHandlersFinished);
  return state;
}
