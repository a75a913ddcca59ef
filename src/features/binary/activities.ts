import type { MikroORM } from '@mikro-orm/postgresql';
import type { PriceFeed } from '../market/price-feed';
import type { DistributedLock } from '../../kernel/redis/distributed-lock';
import { log } from '@temporalio/activity';
import { findTrade, markSettlementFailed, openBinaryTrade, settleBinaryTrade, StaleSettlementLock } from './use-cases';
import type { OpenTradeInput } from './contract';
import type { AmlGate } from '../aml/gate';
import { crashPoint } from '../../kernel/faults';
import { AppError } from '../../kernel/errors';
import { toActivityFailure } from '../../kernel/temporal/failures';

export interface BinaryActivityDeps {
  orm: MikroORM;
  feed: PriceFeed;
  lock: DistributedLock;
  /** The AML decision the opening stake takes inside its transaction. */
  aml: AmlGate;
  /** Told of each settlement (seconds from expiry) and each trade marked SETTLEMENT_FAILED. */
  onSettled?: (lagSeconds: number) => void;
  onSettlementFailed?: () => void;
}

/**
 * Activities of the binaryTrade workflow. Each is idempotent, and each is one use case: the
 * events and AML runs that follow are written to the outbox by the use case's own transaction.
 */
export function createBinaryActivities(deps: BinaryActivityDeps) {
  const em = () => deps.orm.em.fork();

  return {
    /** Debit the stake and create the trade; domain refusals (funds, frozen) fail without retry. */
    async binaryOpen(input: OpenTradeInput) {
      try {
        return await openBinaryTrade(em(), deps.feed, deps.aml, input);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    async binaryLoad(tradeId: string) {
      const trade = await findTrade(em(), tradeId);
      if (!trade) throw toActivityFailure(new AppError('NOT_FOUND', `binary trade ${tradeId} not found`));
      return trade;
    },

    async binarySettle(tradeId: string) {
      try {
        const { trade, settledNow } = await settleBinaryTrade({ em: em(), feed: deps.feed, lock: deps.lock }, tradeId);
        if (settledNow && trade.settledAt) {
          deps.onSettled?.((Date.parse(trade.settledAt) - Date.parse(trade.expiresAt)) / 1000);
        }
        crashPoint('binary.settled', tradeId);
        return trade;
      } catch (err) {
        // Reported, not hidden: a refusal by the fence means a lock expired under a live holder.
        if (err instanceof StaleSettlementLock) {
          log.warn('binary settlement refused by the fencing token', {
            tradeId: err.tradeId,
            fencingToken: err.fencingToken,
            rowFence: err.rowFence,
          });
        }
        throw err;
      }
    },

    /** Retries exhausted: mark the trade and alert the admins; the stake stays in escrow. */
    async binaryMarkSettlementFailed(input: { tradeId: string; failure: string }) {
      const trade = await markSettlementFailed(em(), input.tradeId, input.failure);
      if (trade.status === 'SETTLEMENT_FAILED') deps.onSettlementFailed?.();
      return trade;
    },
  };
}

export type BinaryActivities = ReturnType<typeof createBinaryActivities>;
