import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BinaryActivities } from './activities';
import {
  binaryTradeQuery,
  openTradeUpdate,
  retrySettlementSignal,
  type BinaryTradeInput,
  type BinaryTradeView,
} from './contract';
import { isErrorCode } from '../../kernel/errors';
import { domainFailure } from '../../kernel/temporal/domain-failure';
import { TradeStatusSearchAttribute } from '../../kernel/temporal/search-attributes';

const db = proxyActivities<BinaryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// Opening is answered to a waiting client: a domain refusal fails at once, transient errors retry briefly.
const opener = proxyActivities<BinaryActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds' },
});

// Seed binary-resolution queue: 3 attempts, exponential backoff from 2 s.
const settler = proxyActivities<BinaryActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds', backoffCoefficient: 2 },
});

/**
 * One binary option, id `binary-<tradeId>`: open it (update), sleep on a durable timer until the
 * expiry instant, then settle exactly once. When settlement keeps failing the trade becomes
 * SETTLEMENT_FAILED, admins are alerted, and an admin signal tries again; the stake stays in
 * escrow meanwhile, never lost.
 */
export async function binaryTrade(input: BinaryTradeInput): Promise<BinaryTradeView | null> {
  let trade: BinaryTradeView | null = null;
  let openFailure: ApplicationFailure | undefined;
  let opening = false;
  let retryRequested = false;

  setHandler(binaryTradeQuery, () => trade);
  setHandler(retrySettlementSignal, () => {
    retryRequested = true;
  });
  setHandler(openTradeUpdate, async () => {
    if (input.resume) throw domainFailure('INVALID_STATE', 'trade is already open');
    if (!opening) {
      opening = true;
      try {
        trade = await opener.binaryOpen(input.open);
      } catch (err) {
        openFailure = asApplicationFailure(err);
      }
    }
    await condition(() => trade !== null || openFailure !== undefined);
    if (openFailure) throw openFailure;
    return trade!;
  });

  const setStatus = (status: string) => upsertSearchAttributes([{ key: TradeStatusSearchAttribute, value: status }]);

  if (input.resume) {
    trade = await db.binaryLoad(input.tradeId);
  } else {
    await condition(() => trade !== null || openFailure !== undefined);
    if (!trade) {
      await condition(allHandlersFinished);
      return null; // refused: nothing was debited, nothing is left behind
    }
  }
  setStatus(trade.status);

  const wait = new Date(trade.expiresAt).getTime() - Date.now();
  if (wait > 0) await sleep(wait);

  for (;;) {
    try {
      trade = await settler.binarySettle(trade.id);
      setStatus(trade.status);
      break;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      trade = await db.binaryMarkSettlementFailed({ tradeId: trade.id, failure: err.cause?.message ?? err.message });
      setStatus('SETTLEMENT_FAILED');
      await condition(() => retryRequested);
      retryRequested = false;
    }
  }
  await condition(allHandlersFinished);
  return trade;
}

/** The domain failure inside an activity failure, so the client sees its type (INSUFFICIENT_FUNDS, ...). */
function asApplicationFailure(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && isErrorCode(cause.type)) return domainFailure(cause.type, cause.message);
  return domainFailure('INTERNAL', 'could not open the trade');
}
