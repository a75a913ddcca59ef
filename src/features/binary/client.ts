import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import type { Logger } from '../../kernel/logger';
import { fromTemporalError } from '../../kernel/temporal/failures';
import { TradeStatusSearchAttribute, UserIdSearchAttribute } from '../../kernel/temporal/search-attributes';
import { actors, type WorkflowSigner } from '../../kernel/temporal/signing';
import {
  BINARY_WORKFLOW,
  binaryWorkflowId,
  openTradeUpdate,
  RETRY_SETTLEMENT,
  retrySettlementSignal,
  type BinaryTradeView,
  type OpenTradeInput,
} from './contract';
import type { binaryTrade } from './workflow';
import { findTrade, overdueOpenTrades } from './use-cases';

export { binaryWorkflowId };

/** Sends of one open's update-with-start (each waits up to the server's RPC deadline, ~30 s). */
const OPEN_UPDATE_SENDS = 3;

function notAdmittedYet(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  // The server's FAILED_PRECONDITION, as the SDK hands it on (itself or as a cause).
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, d = 0; e && d < 4; d++) {
    if (/Workflow Task in failed state/i.test(String(e.message))) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * The trade id a client's Idempotency-Key stands for: the same key always names the same trade,
 * so a retried open reaches the same workflow (and the same ledger key) even when two retries race.
 */
export function tradeIdFor(userId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`binary-open:${userId}:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Opens, retries and reconciles binary trades through their workflows; everything sent is signed. */
export class BinaryTrades {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly signer: WorkflowSigner,
  ) {}

  /** Update-with-Start: returns once the stake is debited and the trade row exists. */
  async open(input: OpenTradeInput): Promise<BinaryTradeView> {
    const workflowId = binaryWorkflowId(input.tradeId);
    const start = () =>
      new WithStartWorkflowOperation<typeof binaryTrade>(BINARY_WORKFLOW, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [
          this.signer.startInput(workflowId, BINARY_WORKFLOW, actors.user(input.userId), {
            resume: false,
            open: input,
          }),
        ],
        staticSummary: `Binary ${input.direction} ${input.symbol}, stake ${input.stake}, ${input.expirySeconds} s (user ${input.userId})`,
        staticDetails: [
          `**Trade:** ${input.tradeId}`,
          `**User:** ${input.userId}`,
          `**Option:** ${input.direction} ${input.symbol}, expiry ${input.expirySeconds} s after opening`,
          `**Stake:** ${input.stake} (minor units), payout rate ${input.payoutRateBps / 100} %`,
        ].join('\n\n'),
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: UserIdSearchAttribute, value: input.userId },
          { key: TradeStatusSearchAttribute, value: 'OPENING' },
        ],
      });
    // One update id per trade: a re-sent request attaches to the update already admitted instead
    // of admitting a second one (the server dedupes updates by id).
    const updateId = `open-${input.tradeId}`;
    for (let sent = 1; ; sent++) {
      try {
        return await this.temporal.workflow.executeUpdateWithStart(openTradeUpdate, {
          startWorkflowOperation: start(),
          updateId,
        });
      } catch (err) {
        // "Not admitted yet" answers, both from a worker behind on its workflow tasks (a burst of
        // opens on a busy machine): DEADLINE_EXCEEDED when the update is not accepted within the
        // server's RPC deadline (~30 s), FAILED_PRECONDITION "Workflow Task in failed state" after
        // the first workflow task timed out and before its retry completes. Nothing was decided:
        // the same update id is sent again once the worker had a moment.
        if (notAdmittedYet(err) && sent < OPEN_UPDATE_SENDS) {
          await new Promise((r) => setTimeout(r, 1000 * sent));
          continue;
        }
        // Still not accepted: the outcome is unknown to us, so 503; the client's retry with the
        // same Idempotency-Key attaches to the same trade and update.
        if (notAdmittedYet(err)) {
          throw new AppError(
            'DEPENDENCY_UNAVAILABLE',
            'the trade is still being opened: retry with the same Idempotency-Key',
          );
        }
        return fromTemporalError(err, new AppError('NOT_FOUND', 'trade not found'));
      }
    }
  }

  /** Admin: try the settlement of a SETTLEMENT_FAILED trade again. */
  async retrySettlement(em: EntityManager, tradeId: string, adminId: string): Promise<void> {
    const trade = await findTrade(em, tradeId);
    if (!trade) throw new AppError('NOT_FOUND', 'binary trade not found');
    if (trade.status !== 'SETTLEMENT_FAILED')
      throw new AppError('INVALID_STATE', `trade is ${trade.status}, not SETTLEMENT_FAILED`);
    try {
      const workflowId = binaryWorkflowId(tradeId);
      await this.temporal.workflow
        .getHandle(workflowId)
        .signal(
          retrySettlementSignal,
          this.signer.message(workflowId, RETRY_SETTLEMENT, actors.admin(adminId), { adminId }),
        );
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await this.resume(tradeId, actors.admin(adminId)); // the workflow is gone: a new run settles the trade
    }
  }

  /** Starts a settle-only run for an open trade; attaches to a running one instead of duplicating. */
  async resume(tradeId: string, actor = actors.system('binary-reconciler')): Promise<void> {
    const workflowId = binaryWorkflowId(tradeId);
    await this.temporal.workflow.start<typeof binaryTrade>(BINARY_WORKFLOW, {
      workflowId,
      taskQueue: this.taskQueue,
      args: [this.signer.startInput(workflowId, BINARY_WORKFLOW, actor, { resume: true as const, tradeId })],
      staticSummary: `Binary trade ${tradeId}: settle (resumed by ${actor})`,
      staticDetails: `**Trade:** ${tradeId}\n\n**Resumed by:** ${actor}: the trade was open past its expiry without a running workflow.`,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /**
   * Reconciliation: OPEN trades past their expiry whose workflow is not running get a settle-only
   * run, so no trade stays open forever (a lost start, a terminated workflow, a restored backup).
   */
  async reconcile(em: EntityManager, logger: Logger, graceMs = 10_000): Promise<string[]> {
    const resumed: string[] = [];
    for (const trade of await overdueOpenTrades(em, graceMs)) {
      const handle = this.temporal.workflow.getHandle(binaryWorkflowId(trade.id));
      const running = await handle
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch((err) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        });
      if (running) continue;
      await this.resume(trade.id);
      resumed.push(trade.id);
    }
    if (resumed.length) logger.warn({ resumed }, 'reconciliation resumed overdue binary trades');
    return resumed;
  }
}

/** Runs reconciliation now and then every `intervalMs` until stopped. */
export function startReconciler(run: () => Promise<unknown>, intervalMs: number, logger: Logger): () => Promise<void> {
  let current: Promise<unknown> | undefined;
  const tick = () => {
    current ??= run()
      .catch((err) => logger.error({ err }, 'binary reconciliation failed'))
      .finally(() => (current = undefined));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  // Stopping waits for a pass in flight, so its Temporal calls end before the connection closes.
  return async () => {
    clearInterval(timer);
    await current;
  };
}
