import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ADMINS_ROOM, type EventPublisher } from '../realtime/events';
import { amlWorkflowId } from './contract';
import { closeCaseFrozen, freezeAccount, unfreezeAccount } from './freeze-repository';

export interface AmlActivityDeps {
  orm: MikroORM;
  /** Reminders change nothing in the database, so they are published directly (a retry may repeat one). */
  events: EventPublisher;
}

/** Activities of the amlFreeze workflow. Each is idempotent; emails and events go through the outbox. */
export function createAmlActivities(deps: AmlActivityDeps) {
  const em = () => deps.orm.em.fork();

  return {
    async amlFreezeAccount(input: { userId: string; reasons: string[]; caseId: string }) {
      const reason = input.reasons.join('; ') || 'critical AML finding';
      // The case record is linked to this workflow (its id is read here, so the workflow's
      // commands and their inputs stay as they were: stored histories still replay).
      await freezeAccount(
        em(),
        input.userId,
        reason,
        input.caseId,
        Context.current().info.workflowExecution?.workflowId ?? amlWorkflowId(input.userId),
      );
    },

    async amlRemindAdmins(input: { userId: string; reminder: number; since: string }) {
      await deps.events.publish(ADMINS_ROOM, 'admin:alert', {
        kind: 'aml.case_waiting',
        message: `AML case of user ${input.userId} has waited for a decision since ${input.since} (reminder ${input.reminder})`,
        subject: input.userId,
        at: new Date().toISOString(),
      });
    },

    async amlUnfreezeAccount(input: { userId: string; approvals: string[]; notes: string | null; caseId: string }) {
      await unfreezeAccount(em(), input.userId, input.approvals, input.notes, input.caseId);
    },

    async amlCloseCaseFrozen(input: { userId: string; adminId: string; notes: string | null; caseId: string }) {
      await closeCaseFrozen(em(), input.caseId, input.userId, input.adminId, input.notes);
    },
  };
}

export type AmlActivities = ReturnType<typeof createAmlActivities>;
