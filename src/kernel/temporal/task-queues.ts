/** Task-queue names are a stable contract between API, workers and operators. */
export const TASK_QUEUES = {
  /** KYC verification and AML freeze workflows. */
  compliance: 'compliance',
  /** Binary-option trades. */
  trading: 'trading',
} as const;

/** The task queues of a deployment whose names carry `prefix` (TASK_QUEUE_PREFIX; empty in production). */
export const taskQueuesWithPrefix = (prefix: string) => ({
  compliance: `${prefix}${TASK_QUEUES.compliance}`,
  trading: `${prefix}${TASK_QUEUES.trading}`,
});

export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
