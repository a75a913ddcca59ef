import type { MikroORM } from '@mikro-orm/postgresql';
import { User } from '../../kernel/db/entities/user';
import type { Logger } from '../../kernel/logger';
import type { EmailQueue } from '../notifications/email-queue';
import { ADMINS_ROOM, userRoom, type EventPublisher } from '../realtime/events';
import { closeCaseFrozen, freezeAccount, unfreezeAccount } from './freeze-repository';

export interface AmlActivityDeps {
  orm: MikroORM;
  email: EmailQueue;
  events: EventPublisher;
  logger: Logger;
}

/** Activities of the amlFreeze workflow. Each is idempotent. */
export function createAmlActivities(deps: AmlActivityDeps) {
  const em = () => deps.orm.em.fork();
  const now = () => new Date().toISOString();

  return {
    async amlFreezeAccount(input: { userId: string; reasons: string[]; caseId: string }) {
      const reason = input.reasons.join('; ') || 'critical AML finding';
      await freezeAccount(em(), input.userId, reason);
      const user = await em().findOneOrFail(User, { id: input.userId });
      await deps.email.enqueue(
        { template: 'account-frozen', to: user.email, data: { name: user.fullName, reason } },
        `aml-frozen-${input.caseId}`,
      );
      await deps.events.publish([userRoom(input.userId), ADMINS_ROOM], 'aml:frozen', {
        userId: input.userId,
        reason,
        caseId: input.caseId,
        at: now(),
      });
    },

    async amlRemindAdmins(input: { userId: string; reminder: number; since: string }) {
      await deps.events.publish(ADMINS_ROOM, 'admin:alert', {
        kind: 'aml.case_waiting',
        message: `AML case of user ${input.userId} has waited for a decision since ${input.since} (reminder ${input.reminder})`,
        subject: input.userId,
        at: now(),
      });
    },

    async amlUnfreezeAccount(input: { userId: string; approvals: string[]; notes: string | null; caseId: string }) {
      await unfreezeAccount(em(), input.userId, input.approvals, input.notes);
      const user = await em().findOneOrFail(User, { id: input.userId });
      await deps.email.enqueue(
        { template: 'account-unfrozen', to: user.email, data: { name: user.fullName } },
        `aml-unfrozen-${input.caseId}`,
      );
      await deps.events.publish([userRoom(input.userId), ADMINS_ROOM], 'aml:unfrozen', {
        userId: input.userId,
        caseId: input.caseId,
        at: now(),
      });
    },

    async amlCloseCaseFrozen(input: { userId: string; adminId: string; notes: string | null; caseId: string }) {
      await closeCaseFrozen(em(), input.caseId, input.userId, input.adminId, input.notes);
    },
  };
}

export type AmlActivities = ReturnType<typeof createAmlActivities>;
