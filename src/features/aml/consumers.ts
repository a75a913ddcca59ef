import type { OutboxConsumer } from '../../kernel/outbox';
import type { AmlCases } from './cases';
import type { AmlChecks } from './checks';
import { AML_CHECK_TOPIC, AML_FREEZE_TOPIC, type AmlCheckPayload, type AmlFreezePayload } from './messages';

/** The AML feature's outbox consumers: a run of the rules, and a freeze request to the case workflow. */
export function amlConsumers(deps: { checks: AmlChecks; cases: AmlCases }): Record<string, OutboxConsumer> {
  return {
    [AML_CHECK_TOPIC]: async (record) => {
      const { userId, trigger } = record.payload as AmlCheckPayload;
      await deps.checks.runAMLChecks(userId, trigger, record.id);
    },
    // The workflow id is the user's case: a redelivered request joins the same case.
    [AML_FREEZE_TOPIC]: (record) => deps.cases.requestFreeze(record.payload as AmlFreezePayload),
  };
}
