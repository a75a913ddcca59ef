import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Logger } from './logger';
import type { OutboxConsumer, OutboxRecord } from './outbox';
import { withTimeout } from './timeout';

export interface OutboxRelayOptions {
  orm: MikroORM;
  /** A dedicated connection LISTENs for commits that wrote rows; polling covers a lost notification. */
  databaseUrl: string;
  consumers: Record<string, OutboxConsumer>;
  logger: Logger;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Delivered rows older than this are deleted. */
  retentionMs?: number;
  /** A consumer that takes longer counts as failed (its row stays claimed only this long). */
  consumerTimeoutMs?: number;
  maxBackoffMs?: number;
}

/** This connection's deployment (see kernel/db/orm.ts). */
const CHANNEL = `coalesce(current_setting('app.outbox_channel', true), '')`;

interface Row {
  id: string;
  topic: string;
  key: string | null;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

/**
 * Moves outbox rows to their consumers, at least once. Rows are claimed in batches with
 * `FOR UPDATE SKIP LOCKED` inside a transaction that also marks them delivered, so several
 * relays (one per worker process) never hand the same row out at once, and a relay that dies
 * mid-batch leaves its rows to the next one. A failed row is retried with exponential backoff.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private listener?: Client;
  private lastPrune = 0;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly consumerTimeoutMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 50;
    this.retentionMs = options.retentionMs ?? 3 * 24 * 3600_000;
    this.consumerTimeoutMs = options.consumerTimeoutMs ?? 15_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Delivers everything deliverable now; returns how many rows were handed out. */
  async deliverAvailable(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deliverBatch();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.deliverAvailable();
        await this.pruneNowAndThen();
      } catch (err) {
        this.options.logger.error({ err }, 'outbox relay batch failed');
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async deliverBatch(): Promise<number> {
    const em = this.options.orm.em.fork();
    return em.transactional(async (tx) => {
      const rows = await tx.execute<Row[]>(
        `select id, topic, key, payload, attempts, created_at from outbox
         where delivered_at is null and available_at <= clock_timestamp() and channel = ${CHANNEL}
         order by created_at, id limit ? for update skip locked`,
        [this.batchSize],
      );
      for (const row of rows) {
        try {
          await deliverRow(tx, row, this.options.consumers[row.topic], this.consumerTimeoutMs);
        } catch (err) {
          const delayMs = Math.min(this.maxBackoffMs, 500 * 2 ** row.attempts);
          await tx.execute(
            `update outbox set attempts = attempts + 1, last_error = ?,
             available_at = clock_timestamp() + make_interval(secs => ?) where id = ?`,
            [String((err as Error)?.message ?? err).slice(0, 1000), delayMs / 1000, row.id],
          );
          this.options.logger.warn(
            { err, outboxId: row.id, topic: row.topic, attempt: row.attempts + 1, retryInMs: delayMs },
            'outbox delivery failed; will retry',
          );
        }
      }
      return rows.length;
    });
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.options.orm.em
      .fork()
      .execute(
        `delete from outbox where channel = ${CHANNEL} and delivered_at < clock_timestamp() - make_interval(secs => ?)`,
        [this.retentionMs / 1000],
      );
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl });
    client.on('notification', () => this.wake?.());
    client.on('error', (err) => {
      // Polling keeps delivering; try to listen again a little later.
      this.options.logger.warn({ err }, 'outbox LISTEN connection lost; polling until it is back');
      this.listener = undefined;
      setTimeout(() => {
        if (this.running) void this.listen();
      }, 2000).unref();
    });
    try {
      await client.connect();
      await client.query('LISTEN outbox');
      this.listener = client;
    } catch (err) {
      this.options.logger.warn({ err }, 'outbox LISTEN unavailable; polling only');
      await client.end().catch(() => undefined);
    }
  }
}

/** Hands one claimed row to its consumer and marks it delivered, in the claiming transaction. */
async function deliverRow(
  tx: EntityManager,
  row: Row,
  consumer: OutboxConsumer | undefined,
  timeoutMs: number,
): Promise<void> {
  if (!consumer) throw new Error(`no consumer for outbox topic ${row.topic}`);
  const record: OutboxRecord = {
    id: row.id,
    topic: row.topic,
    key: row.key,
    payload: row.payload,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
  };
  await withTimeout(consumer(record), timeoutMs, `outbox consumer ${row.topic}`);
  await tx.execute(
    `update outbox set delivered_at = clock_timestamp(), attempts = attempts + 1, last_error = null where id = ?`,
    [row.id],
  );
}

/**
 * Delivers now, in the caller's request, the undelivered rows of `topic` whose payload contains
 * `match`, for a caller that cannot go on until their consequence exists (an admin deciding an
 * AML case whose freeze workflow the relay has not started yet). A row the relay is delivering
 * is waited for (FOR UPDATE, not SKIP LOCKED) and then skipped, being delivered by then, so each
 * row is still handed out once. A failure throws and leaves the row to the relay. Returns how
 * many rows were delivered.
 */
export async function deliverOutboxNow(
  orm: MikroORM,
  topic: string,
  match: Record<string, unknown>,
  consumer: OutboxConsumer,
  timeoutMs = 15_000,
): Promise<number> {
  return orm.em.fork().transactional(async (tx) => {
    const rows = await tx.execute<Row[]>(
      `select id, topic, key, payload, attempts, created_at from outbox
       where topic = ? and payload @> ?::jsonb and delivered_at is null and channel = ${CHANNEL}
       order by created_at, id for update`,
      [topic, JSON.stringify(match)],
    );
    for (const row of rows) await deliverRow(tx, row, consumer, timeoutMs);
    return rows.length;
  });
}

/** Seconds since the oldest undelivered row was written (0 when none): the relay's lag. */
export async function oldestPendingOutboxAgeSeconds(orm: MikroORM): Promise<number> {
  const [row] = await orm.em.fork().execute<{ age: string | null }[]>(
    `select extract(epoch from clock_timestamp() - min(created_at)) age from outbox
       where delivered_at is null and channel = ${CHANNEL}`,
  );
  return row?.age ? Math.max(0, Number(row.age)) : 0;
}
