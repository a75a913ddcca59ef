import { amlConsumers } from '../features/aml/consumers';
import { emailConsumer, EMAIL_TOPIC } from '../features/notifications/email-queue';
import { LIVE_EVENT_TOPIC, liveEventConsumer } from '../features/realtime/events';
import { OutboxRelay } from '../kernel/outbox-relay';
import { WEBHOOK_TOPIC } from '../features/webhooks/events';
import { webhookConsumer } from '../features/webhooks/queue';
import { redeliveryConsumer, WEBHOOK_REDELIVERY_TOPIC } from '../features/webhooks/use-cases';
import type { AppContext } from './context';

/** Every outbox topic and the consumer that delivers it: one place to see where a consequence goes. */
export function outboxConsumers(ctx: AppContext) {
  return {
    [LIVE_EVENT_TOPIC]: liveEventConsumer(ctx.events),
    [EMAIL_TOPIC]: emailConsumer(ctx.email),
    ...amlConsumers({ checks: ctx.amlChecks, cases: ctx.amlCases }),
    [WEBHOOK_TOPIC]: webhookConsumer({ orm: ctx.orm, queue: ctx.webhooks }),
    [WEBHOOK_REDELIVERY_TOPIC]: redeliveryConsumer(ctx.webhooks),
  };
}

/** Starts this process's relay; stopping is registered with ctx.shutdown (before Redis and the ORM close). */
export async function startOutboxRelay(ctx: AppContext): Promise<OutboxRelay> {
  const relay = new OutboxRelay({
    orm: ctx.orm,
    databaseUrl: ctx.config.DATABASE_URL,
    consumers: outboxConsumers(ctx),
    logger: ctx.logger,
    pollIntervalMs: ctx.config.OUTBOX_POLL_INTERVAL_MS,
    retentionMs: ctx.config.OUTBOX_RETENTION_HOURS * 3600_000,
  });
  await relay.start();
  ctx.shutdown.add('outbox-relay', () => relay.stop());
  return relay;
}
