import { signMessage, signStartInput, type SignedMessage } from '../../src/kernel/temporal/signing';
import { withSigningKeys } from '../../src/kernel/temporal/worker';
import type { WorkflowBundle } from '@temporalio/worker';

/** The tests' WORKFLOW_SIGNING_KEY (listed in PUBLIC_SECRET_VALUES: production refuses it). */
export const TEST_WORKFLOW_SIGNING_KEY = 'test-workflow-signing-key-test-workflow-signing-key';

/** A workflow bundle as a test worker runs it: the test key in its slot. */
export const withTestKey = (bundle: WorkflowBundle): WorkflowBundle =>
  withSigningKeys(bundle, [TEST_WORKFLOW_SIGNING_KEY]);

/** A message signed as the API signs it, for tests that talk to a workflow directly. */
export const signedFor = <T>(
  workflowId: string,
  name: string,
  actor: string,
  payload: T,
  now?: number,
): SignedMessage<T> => signMessage(TEST_WORKFLOW_SIGNING_KEY, { workflowId, name }, actor, payload, now);

export const signedInput = <T extends object>(workflowId: string, workflowType: string, actor: string, input: T) =>
  signStartInput(TEST_WORKFLOW_SIGNING_KEY, { workflowId, name: workflowType }, actor, input);
