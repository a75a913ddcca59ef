import type { OutboxMessage } from '../../kernel/outbox';

/** Outbox topic: run the AML rules for a user after a movement (deposit, withdrawal, trade). */
export const AML_CHECK_TOPIC = 'aml-check';
/** Outbox topic: open or join the user's freeze case (signal-with-start of `amlFreeze`). */
export const AML_FREEZE_TOPIC = 'aml-freeze';

export interface AmlCheckPayload {
  userId: string;
  trigger: string;
}

export interface AmlFreezePayload {
  userId: string;
  checkIds: string[];
  reasons: string[];
}

export const amlCheckMessage = (userId: string, trigger: string): OutboxMessage<AmlCheckPayload> => ({
  topic: AML_CHECK_TOPIC,
  payload: { userId, trigger },
});

export const amlFreezeMessage = (payload: AmlFreezePayload): OutboxMessage<AmlFreezePayload> => ({
  topic: AML_FREEZE_TOPIC,
  payload,
});
