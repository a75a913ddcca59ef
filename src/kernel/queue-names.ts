/** BullMQ queue names (stable: dashboards and metrics refer to them). */
export const QUEUE_NAMES = {
  email: 'email-notifications',
  ai: 'ai-arbitrage',
  webhooks: 'webhook-deliveries',
} as const;
