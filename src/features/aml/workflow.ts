import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AmlActivities } from './activities';
import { UNFREEZE_APPROVALS_NEEDED, unfreezeRefusal } from './rules';
import { amlCaseQuery, decisionUpdate, findingSignal, type AmlCaseState, type AmlFreezeInput } from './contract';
import { domainFailure } from '../../kernel/temporal/domain-failure';
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
export async function amlFreeze(input: AmlFreezeInput): Promise<AmlCaseState> {
  const { runId } = workflowInfo();
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

  setHandler(amlCaseQuery, () => state);
  setHandler(findingSignal, (finding) => void state.findings.push(finding));
  setHandler(
    decisionUpdate,
    async (d) => {
      state.decidedBy.push(d.adminId);
      state.notes = d.notes ?? state.notes;
      if (d.decision === 'KEEP_FROZEN') {
        closing = true;
        state.status = 'CLOSED_FROZEN';
      } else {
        state.approvals.push(d.adminId);
        if (state.approvals.length >= UNFREEZE_APPROVALS_NEEDED) closing = true;
      }
      // Answer once the decision has taken effect (or right away for a first approval).
      await condition(() => !closing || state.status !== 'FROZEN');
      return state;
    },
    {
      validator: (d) => {
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
    const decided = await condition(() => closing, input.reminderIntervalMs);
    if (!decided) {
      state.remindersSent += 1;
      await acts.amlRemindAdmins({
        userId: input.userId,
        reminder: state.remindersSent,
        since: workflowInfo().startTime.toISOString(),
      });
    }
  }

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
  await condition(allHandlersFinished);
  return state;
}
