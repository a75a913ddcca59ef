import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setCurrentDetails,
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
  KYC_MESSAGES,
  kycDeadlinesQuery,
  kycStateQuery,
  providerResultSignal,
  resubmitSignal,
  type AdminDecision,
  type KycDeadlines,
  type SignedKycVerificationInput,
} from './contract';
import { domainFailure } from '../../kernel/temporal/domain-failure';
import { actors } from '../../kernel/temporal/signing';
import { MessageGate } from '../../kernel/temporal/workflow-messages';
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
export async function kycVerification(signedInput: SignedKycVerificationInput): Promise<KycState> {
  const { workflowId } = workflowInfo();
  // First: whether this run checks signatures (kernel/temporal/workflow-messages.ts).
  const gate = new MessageGate();
  const input = gate.startInput(signedInput, (i) => actors.user(i.userId));
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

  const startedAt = Date.now(); // workflow time: deterministic on replay
  const hardDeadlineAt = startedAt + input.hardDeadlineMs;
  let providerDeadlineAt: number | null = null;

  const waitingFor = (): KycDeadlines['waitingFor'] =>
    decision ? 'nothing' : state.status === 'AWAITING_USER' ? 'user' : state.needsManualReview ? 'admin' : 'provider';

  setHandler(kycStateQuery, () => state, { description: 'The case: status, attempt, provider id, decision.' });
  setHandler(
    kycDeadlinesQuery,
    () => ({
      waitingFor: waitingFor(),
      providerDeadlineAt: waitingFor() === 'provider' ? providerDeadlineAt : null,
      hardDeadlineAt,
    }),
    { description: 'What the case waits for, the provider deadline (epoch ms) and the expiry (epoch ms).' },
  );
  // Webhooks are deduplicated by the API too; this catches a redelivery racing its twin.
  const seenEvents = new Set<string>();
  setHandler(
    providerResultSignal,
    (message) => {
      const result = gate.receive<ProviderResult>(KYC_MESSAGES.providerResult, message, (r) =>
        actors.provider(r.provider),
      );
      if (!result || seenEvents.has(result.eventId)) return;
      seenEvents.add(result.eventId);
      inbox.push(result);
    },
    {
      description:
        "A provider's verification result (webhook checked by the API), signed by provider:<NAME>. Unsigned: dropped.",
    },
  );
  setHandler(
    resubmitSignal,
    (message) => {
      if (
        gate.required &&
        gate.receive(KYC_MESSAGES.resubmit, message, () => actors.user(input.userId)) === undefined
      ) {
        return;
      }
      if (resubmissionRefusal(state) === null) resubmitted = true;
    },
    { description: 'The user submits again after the provider asked for a retry, signed by user:<id>.' },
  );
  setHandler(
    adminDecisionUpdate,
    async (message) => {
      adminDecision ??= gate.accept<AdminDecision>(KYC_MESSAGES.adminDecision, message, (d) => actors.admin(d.adminId));
      await condition(() => finalized);
      return state;
    },
    {
      description:
        'An admin approves or rejects (signed by admin:<id>; not the own case); answers with the final state.',
      validator: (message) => {
        const update = gate.validate<AdminDecision>(KYC_MESSAGES.adminDecision, message, (d) =>
          actors.admin(d.adminId),
        );
        const refusal =
          adminDecision || decision ? 'the case has already been decided' : adminDecisionRefusal(state, update.adminId);
        if (refusal) throw domainFailure('INVALID_STATE', refusal);
      },
    },
  );

  const describeWait = () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const expiry = `expires ${at(hardDeadlineAt)}`;
    switch (waitingFor()) {
      case 'provider':
        return `Waiting for ${input.provider}'s result (attempt ${state.attempt} of ${state.maxAttempts}) until ${at(providerDeadlineAt ?? hardDeadlineAt)}, then manual review; ${expiry}.`;
      case 'user':
        return `Waiting for the user to resubmit (attempt ${state.attempt} of ${state.maxAttempts} asked for a retry); ${expiry}.`;
      case 'admin':
        return `Waiting for an admin decision: no provider result by the provider deadline; ${expiry}.`;
      default:
        return `Decided: ${decision?.status ?? state.status}.`;
    }
  };

  const setStatus = (status: KycState['status']) => {
    state.status = status;
    upsertSearchAttributes([{ key: KycStatusSearchAttribute, value: status }]);
  };

  const openAttempt = async () => {
    setCurrentDetails(`Opening attempt ${state.attempt} at ${input.provider}.`);
    await db.kycRecordPending({ userId: input.userId, provider: input.provider, workflowId, attempt: state.attempt });
    state.providerId = await provider.kycCreateVerification({ userId: input.userId, provider: input.provider });
  };

  await openAttempt();
  providerDeadlineAt = Date.now() + input.providerDeadlineMs;

  while (!decision) {
    const waitingOnProvider = state.status === 'PENDING' && !state.needsManualReview;
    const providerFirst = waitingOnProvider && providerDeadlineAt < hardDeadlineAt;
    const wakeAt = providerFirst ? providerDeadlineAt : hardDeadlineAt;
    setCurrentDetails(describeWait());
    const woken = await condition(
      () => inbox.length > 0 || adminDecision !== undefined || resubmitted,
      Math.max(wakeAt - Date.now(), 1),
      { summary: providerFirst ? 'provider deadline' : 'expiry' },
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
    } else if (!woken && waitingOnProvider && Date.now() >= providerDeadlineAt!) {
      state.needsManualReview = true;
      await db.kycFlagForManualReview({ userId: input.userId, waitedMs: input.providerDeadlineMs });
    }
  }

  setCurrentDetails(`Finalizing: ${decision.status} by ${decision.actor.type.toLowerCase()} ${decision.actor.id}.`);
  await db.kycFinalize({ userId: input.userId, ...decision });
  state.decidedBy = decision.actor;
  state.reason = decision.reason;
  setStatus(decision.status);
  await db.kycNotifyDecision({ userId: input.userId, status: decision.status, reason: decision.reason, workflowId });
  finalized = true;
  setCurrentDetails(describeWait());
  // Let a pending admin update return its answer before the run completes.
  await condition(allHandlersFinished);
  return state;
}
