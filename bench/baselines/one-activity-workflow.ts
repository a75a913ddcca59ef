/** The baseline of "binary open -> settled": a workflow that runs one activity and completes. */
import { proxyActivities } from '@temporalio/workflow';

const { settleNothing } = proxyActivities<{ settleNothing(id: string): Promise<string> }>({
  startToCloseTimeout: '10 seconds',
});

export async function benchOneActivity(id: string): Promise<string> {
  return settleNothing(id);
}
