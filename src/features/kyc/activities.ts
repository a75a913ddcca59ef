import { domainFailure } from '../../kernel/temporal/domain-failure';
import type { MikroORM } from '@mikro-orm/postgresql';
import { User } from '../../kernel/db/entities/user';
import type { KycActor, KycProviderName, ProviderResult } from './rules';
import { ProviderRejectedError } from './providers/types';
import type { KycProviders } from './providers/registry';
import * as kyc from './repository';

export interface KycActivityDeps {
  orm: MikroORM;
  providers: KycProviders;
  /** Told of each decision applied (not a repeat), for kyc_decisions_total. */
  onDecision?: (decision: { actor: string; outcome: string }) => void;
}

/** Activities of the kycVerification workflow. Each is idempotent: Temporal may run it again. */
export function createKycActivities(deps: KycActivityDeps) {
  const em = () => deps.orm.em.fork();

  return {
    async kycRecordPending(input: { userId: string; provider: KycProviderName; workflowId: string; attempt: number }) {
      await kyc.recordPending(em(), input);
    },

    /** Creates the applicant/session at the provider and stores its id. */
    async kycCreateVerification(input: { userId: string; provider: KycProviderName }): Promise<string> {
      const client = deps.providers.clients[input.provider];
      if (!client) {
        throw domainFailure('PROVIDER_NOT_CONFIGURED', `${input.provider} is not configured`);
      }
      const user = await em().findOneOrFail(User, { id: input.userId });
      try {
        const { providerId } = await client.createVerification({
          userId: user.id,
          email: user.email,
          fullName: user.fullName,
          country: user.country,
        });
        await kyc.storeProviderId(em(), input.userId, providerId);
        return providerId;
      } catch (err) {
        if (err instanceof ProviderRejectedError) {
          throw domainFailure('PROVIDER_REJECTED', err.message);
        }
        throw err;
      }
    },

    async kycRecordProviderEvent(input: { userId: string; result: ProviderResult }) {
      await kyc.recordProviderEvent(em(), input.userId, input.result);
    },

    async kycAwaitUser(input: { userId: string; reason: string | null }) {
      await kyc.markAwaitingUser(em(), input.userId, input.reason);
    },

    /** The provider has not answered in time: flag the case and tell the admins. */
    async kycFlagForManualReview(input: { userId: string; waitedMs: number }) {
      const reason = `no provider result after ${Math.round(input.waitedMs / 1000)} s`;
      await kyc.flagManualReview(em(), input.userId, reason);
    },

    async kycFinalize(input: {
      userId: string;
      status: 'APPROVED' | 'REJECTED';
      actor: KycActor;
      reason: string | null;
      verifiedDateOfBirth?: string | null;
    }) {
      const result = await kyc.finalizeKyc(em(), input);
      if (result.changed) deps.onDecision?.({ actor: input.actor.type.toLowerCase(), outcome: input.status });
      return result;
    },

    /** The decision's email and live event (through the outbox, once per case). */
    async kycNotifyDecision(input: {
      userId: string;
      status: 'APPROVED' | 'REJECTED';
      reason: string | null;
      workflowId: string;
    }) {
      await kyc.notifyKycDecision(em(), input);
    },
  };
}

export type KycActivities = ReturnType<typeof createKycActivities>;
