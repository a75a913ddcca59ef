import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../kernel/logger';
import type { PriceFeed } from '../market/price-feed';
import { ADMINS_ROOM, userRoom, type EventPublisher } from '../realtime/events';
import type { DistributedLock } from '../../kernel/redis/distributed-lock';
import type { ActivityObserver } from '../wallet/account-state';
import { findTrade, markSettlementFailed, openBinaryTrade, settleBinaryTrade, type OpenTradeInput } from './use-cases';
import { walletBalance } from '../../kernel/ledger';
import { AppError } from '../../kernel/errors';
import { toActivityFailure } from '../../kernel/temporal/failures';

export interface BinaryActivityDeps {
  orm: MikroORM;
  feed: PriceFeed;
  lock: DistributedLock;
  events: EventPublisher;
  logger: Logger;
  activityObserver: () => ActivityObserver;
}

/** Activities of the binaryTrade workflow. Each is idempotent. */
export function createBinaryActivities(deps: BinaryActivityDeps) {
  const em = () => deps.orm.em.fork();
  const now = () => new Date().toISOString();

  return {
    /** Debit the stake and create the trade; domain refusals (funds, frozen) fail without retry. */
    async binaryOpen(input: OpenTradeInput) {
      try {
        const trade = await openBinaryTrade(em(), deps.feed, input);
        await deps.events.publish(userRoom(trade.userId), 'binary:opened', {
          tradeId: trade.id,
          userId: trade.userId,
          symbol: trade.symbol,
          direction: trade.direction,
          stake: trade.stake,
          expiresAt: trade.expiresAt,
        });
        await deps.events.publish(userRoom(trade.userId), 'wallet:balance', {
          userId: trade.userId,
          balance: await walletBalance(em(), trade.userId),
          at: now(),
        });
        await deps.activityObserver().afterActivity(trade.userId, 'binary');
        return trade;
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
      const { trade, settledNow, balance } = await settleBinaryTrade(
        { em: em(), feed: deps.feed, lock: deps.lock },
        tradeId,
      );
      if (settledNow) {
        await deps.events.publish(userRoom(trade.userId), 'binary:resolved', {
          tradeId: trade.id,
          userId: trade.userId,
          status: trade.status,
          openPrice: trade.openPrice,
          closePrice: trade.closePrice,
          payout: trade.payout ?? 0,
          at: now(),
        });
        await deps.events.publish(userRoom(trade.userId), 'wallet:balance', {
          userId: trade.userId,
          balance,
          at: now(),
        });
      }
      return trade;
    },

    /** Retries exhausted: mark the trade and alert the admins; the stake stays in escrow. */
    async binaryMarkSettlementFailed(input: { tradeId: string; failure: string }) {
      const trade = await markSettlementFailed(em(), input.tradeId, input.failure);
      await deps.events.publish(ADMINS_ROOM, 'admin:alert', {
        kind: 'binary.settlement_failed',
        message: `settlement of binary trade ${input.tradeId} failed: ${input.failure}`,
        subject: input.tradeId,
        at: now(),
      });
      return trade;
    },
  };
}

export type BinaryActivities = ReturnType<typeof createBinaryActivities>;
