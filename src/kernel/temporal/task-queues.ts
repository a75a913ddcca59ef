/** Task-queue names are a stable contract between API, workers and operators. */
export const TASK_QUEUES = {
  /** KYC verification and AML freeze workflows. */
  compliance: 'compliance',
  /** Binary-option trades. */
  trading: 'trading',
} as const;

export type TaskQueueName = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];
