import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { User } from '../../kernel/db/entities/user';
import type { KycActor, KycProviderName, ProviderResult } from './rules';
import type { Logger } from '../../kernel/logger';
import { ProviderRejectedError } from './providers/types';
import type { KycProviders } from './providers/registry';
import type { EmailQueue } from '../notifications/email-queue';
import { ADMINS_ROOM, userRoom, type EventPublisher } from '../realtime/events';
import * as kyc from './repository';

export interface KycActivityDeps {
  orm: MikroORM;
  providers: KycProviders;
  email: EmailQueue;
  events: EventPublisher;
  logger: Logger;
}

/** Activities of the kycVerification workflow. Each is idempotent: Temporal may run it again. */
export function createKycActivities(deps: KycActivityDeps) {
  const em = () => deps.orm.em.fork();

  return {
    async kycRecordPending(input: { userId: string; provider: KycProviderName; workflowId: string; attempt: number }) {
      await kyc.recordPending(em(), input);
      await deps.events.publish(userRoom(input.userId), 'kyc:status', {
        userId: input.userId,
        status: 'PENDING',
        at: new Date().toISOString(),
      });
    },

    /** Creates the applicant/session at the provider and stores its id. */
    async kycCreateVerification(input: { userId: string; provider: KycProviderName }): Promise<string> {
      const client = deps.providers.clients[input.provider];
      if (!client) {
        throw ApplicationFailure.create({
          type: 'ProviderNotConfigured',
          message: `${input.provider} is not configured`,
          nonRetryable: true,
        });
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
          throw ApplicationFailure.create({ type: 'ProviderRejected', message: err.message, nonRetryable: true });
        }
        throw err;
      }
    },

    async kycRecordProviderEvent(input: { userId: string; result: ProviderResult }) {
      await kyc.recordProviderEvent(em(), input.userId, input.result);
    },

    async kycAwaitUser(input: { userId: string; reason: string | null }) {
      await kyc.markAwaitingUser(em(), input.userId, input.reason);
      await deps.events.publish(userRoom(input.userId), 'kyc:status', {
        userId: input.userId,
        status: 'RESUBMISSION_REQUESTED',
        reason: input.reason,
        at: new Date().toISOString(),
      });
    },

    /** The provider has not answered in time: flag the case and tell the admins. */
    async kycFlagForManualReview(input: { userId: string; waitedMs: number }) {
      const reason = `no provider result after ${Math.round(input.waitedMs / 1000)} s`;
      await kyc.flagManualReview(em(), input.userId, reason);
      await deps.events.publish(ADMINS_ROOM, 'admin:alert', {
        kind: 'kyc.manual_review',
        message: `KYC of user ${input.userId} needs manual review: ${reason}`,
        subject: input.userId,
        at: new Date().toISOString(),
      });
    },

    async kycFinalize(input: {
      userId: string;
      status: 'APPROVED' | 'REJECTED';
      actor: KycActor;
      reason: string | null;
    }) {
      return kyc.finalizeKyc(em(), input);
    },

    /** Email (deterministic job id: a retry never sends twice) and the live status event. */
    async kycNotifyDecision(input: {
      userId: string;
      status: 'APPROVED' | 'REJECTED';
      reason: string | null;
      workflowId: string;
    }) {
      const user = await em().findOneOrFail(User, { id: input.userId });
      const approved = input.status === 'APPROVED';
      await deps.email.enqueue(
        {
          template: approved ? 'kyc-approved' : 'kyc-rejected',
          to: user.email,
          data: { name: user.fullName, reason: input.reason ?? '' },
        },
        `kyc-${input.status.toLowerCase()}-${input.workflowId}`,
      );
      await deps.events.publish(userRoom(input.userId), 'kyc:status', {
        userId: input.userId,
        status: input.status,
        reason: input.reason,
        at: new Date().toISOString(),
      });
    },
  };
}

export type KycActivities = ReturnType<typeof createKycActivities>;
