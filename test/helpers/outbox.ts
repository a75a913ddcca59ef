import type { MikroORM } from '@mikro-orm/postgresql';
import { eventually } from './eventually';

/**
 * Waits until the relay has delivered every outbox row of this context's channel that exists
 * now: the positive marker that a change's consequences (emails, events, AML runs) have left.
 */
export async function outboxDelivered(orm: MikroORM, timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      const [row] = await orm.em
        .fork()
        .execute<{ n: string }[]>(
          `select count(*) n from outbox where delivered_at is null and channel = current_setting('app.outbox_channel', true)`,
        );
      return Number(row!.n) === 0;
    },
    timeoutMs,
    'outbox rows to be delivered',
  );
}
