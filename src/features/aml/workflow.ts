import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AmlActivities } from './activities';
import { UNFREEZE_APPROVALS_NEEDED, unfreezeRefusal } from './rules';
import {
  AML_ACTOR,
  AML_MESSAGES,
  amlCaseQuery,
  amlDeadlinesQuery,
  decisionUpdate,
  findingSignal,
  type AmlCaseState,
  type AmlDecision,
  type AmlFindingSignal,
  type AmlFreezeInput,
  type SignedAmlFreezeInput,
} from './contract';
import { domainFailure } from '../../kernel/temporal/domain-failure';
import { actors } from '../../kernel/temporal/signing';
import { MessageGate } from '../../kernel/temporal/workflow-messages';
import { AmlCaseStatusSearchAttribute } from '../../kernel/temporal/search-attributes';

const acts = proxyActivities<AmlActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One AML case per user, id `aml-freeze-<userId>`, started with signal-with-start: freeze the
 * account and lock the wallet, notify the user and the admins, then wait for a decision,
 * reminding admins every `reminderIntervalMs`.
 */
export async function amlFreeze(signedInput: SignedAmlFreezeInput): Promise<AmlCaseState> {
  const { runId } = workflowInfo();
  // First: whether this run checks signatures (kernel/temporal/workflow-messages.ts).
  const gate = new MessageGate();
  const input = gate.startInput<AmlFreezeInput>(signedInput, () => AML_ACTOR);
  const state: AmlCaseState = {
    userId: input.userId,
    status: 'FROZEN',
    findings: [],
    approvals: [],
    remindersSent: 0,
    decidedBy: [],
    notes: null,
  };
  let closing = false;
  let nextReminderAt: number | null = null;
  const describeWait = () =>
    `Account frozen (${state.findings.flatMap((f) => f.reasons).join('; ') || 'no finding'}). Waiting for ` +
    (state.approvals.length > 0
      ? `a second admin to approve the unfreeze (first: ${state.approvals[0]})`
      : 'an admin decision: UNFREEZE (two admins) or KEEP_FROZEN') +
    `; next reminder ${nextReminderAt === null ? 'not set' : new Date(nextReminderAt).toISOString()} (${state.remindersSent} sent).`;

  setHandler(amlCaseQuery, () => state, { description: 'The case: findings, approvals, reminders, decision.' });
  setHandler(
    amlDeadlinesQuery,
    () => ({
      waitingFor: closing ? 'nothing' : state.approvals.length > 0 ? 'second approval' : 'admin decision',
      nextReminderAt: closing ? null : nextReminderAt,
    }),
    { description: 'What the case waits for and when the admins are reminded next (epoch ms).' },
  );
  setHandler(
    findingSignal,
    (message) => {
      const finding = gate.receive<AmlFindingSignal>(AML_MESSAGES.finding, message, () => AML_ACTOR);
      if (finding) state.findings.push(finding);
    },
    { description: 'A critical finding of the AML checks, signed by system:aml. Unsigned: dropped.' },
  );
  setHandler(
    decisionUpdate,
    async (message) => {
      const d = gate.accept<AmlDecision>(AML_MESSAGES.decision, message, (x) => actors.admin(x.adminId));
      state.decidedBy.push(d.adminId);
      state.notes = d.notes ?? state.notes;
      if (d.decision === 'KEEP_FROZEN') {
        closing = true;
        state.status = 'CLOSED_FROZEN';
      } else {
        state.approvals.push(d.adminId);
        if (state.approvals.length >= UNFREEZE_APPROVALS_NEEDED) closing = true;
        else setCurrentDetails(describeWait());
      }
      // Answer once the decision has taken effect (or right away for a first approval).
      await condition(() => !closing || state.status !== 'FROZEN');
      return state;
    },
    {
      description:
        'An admin decides (signed by admin:<id>): KEEP_FROZEN closes the case, UNFREEZE needs two different admins.',
      validator: (message) => {
        const d = gate.validate<AmlDecision>(AML_MESSAGES.decision, message, (x) => actors.admin(x.adminId));
        const refusal = closing
          ? `the case is already ${state.status === 'FROZEN' ? 'being closed' : state.status}`
          : d.decision === 'UNFREEZE'
            ? unfreezeRefusal(state.approvals, d.adminId)
            : null;
        if (refusal) throw domainFailure('INVALID_STATE', refusal);
      },
    },
  );

  // Findings signalled with the start are delivered before the first await.
  await acts.amlFreezeAccount({
    userId: input.userId,
    reasons: state.findings.flatMap((f) => f.reasons),
    caseId: runId,
  });
  upsertSearchAttributes([{ key: AmlCaseStatusSearchAttribute, value: 'FROZEN' }]);

  while (!closing) {
    nextReminderAt = Date.now() + input.reminderIntervalMs;
    setCurrentDetails(describeWait());
    const decided = await condition(() => closing, input.reminderIntervalMs, { summary: 'admin reminder' });
    if (!decided) {
      state.remindersSent += 1;
      await acts.amlRemindAdmins({
        userId: input.userId,
        reminder: state.remindersSent,
        since: workflowInfo().startTime.toISOString(),
      });
    }
  }

  setCurrentDetails(`Closing: ${state.status === 'CLOSED_FROZEN' ? 'kept frozen' : 'unfreezing'}.`);
  if (state.status === 'CLOSED_FROZEN') {
    await acts.amlCloseCaseFrozen({
      userId: input.userId,
      adminId: state.decidedBy.at(-1)!,
      notes: state.notes,
      caseId: runId,
    });
  } else {
    await acts.amlUnfreezeAccount({
      userId: input.userId,
      approvals: state.approvals,
      notes: state.notes,
      caseId: runId,
    });
    state.status = 'UNFROZEN';
  }
  upsertSearchAttributes([{ key: AmlCaseStatusSearchAttribute, value: state.status }]);
  setCurrentDetails(`Closed: ${state.status} (decided by ${state.decidedBy.join(', ')}).`);
  await condition(allHandlersFinished);
  return state;
}
