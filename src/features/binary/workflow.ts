import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BinaryActivities } from './activities';
import {
  binaryDeadlinesQuery,
  binaryTradeQuery,
  openTradeUpdate,
  RETRY_SETTLEMENT,
  retrySettlementSignal,
  type BinaryDeadlines,
  type BinaryTradeInput,
  type BinaryTradeView,
  type SignedBinaryTradeInput,
} from './contract';
import { isErrorCode } from '../../kernel/errors';
import { domainFailure } from '../../kernel/temporal/domain-failure';
import { actors } from '../../kernel/temporal/signing';
import { MessageGate } from '../../kernel/temporal/workflow-messages';
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

// Since the patch below, the same opening as a local activity: it runs in the worker inside the
// workflow task that took the update, so the client's answer does not wait for an activity task
// to go through the server, and opens do not queue for the trading queue's 10 activity slots and
// 50/s limit, which are the settlements' (the seed's binary-resolution limits). The server does
// one activity task and one workflow task less per trade. Measured by `npm run bench -- binary`.
const localOpener = proxyLocalActivities<BinaryActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds' },
});
/** Runs started before this patch replay their opening as the activity task they recorded. */
const OPEN_AS_LOCAL_ACTIVITY = 'binary-open-local-activity';

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
export async function binaryTrade(signedInput: SignedBinaryTradeInput): Promise<BinaryTradeView | null> {
  // First: whether this run checks signatures (kernel/temporal/workflow-messages.ts).
  const gate = new MessageGate();
  const input = gate.startInput<BinaryTradeInput>(signedInput, (i) => (i.resume ? null : actors.user(i.open.userId)));
  // Asked here, before any handler runs, so the marker's place in the history does not depend on
  // when the update is delivered.
  const openWith = patched(OPEN_AS_LOCAL_ACTIVITY) ? localOpener : opener;
  let trade: BinaryTradeView | null = null;
  let openFailure: ApplicationFailure | undefined;
  let opening = false;
  let retryRequested = false;
  let waitingFor: BinaryDeadlines['waitingFor'] = input.resume ? 'expiry' : 'open';

  setHandler(binaryTradeQuery, () => trade, { description: 'The trade: prices, status, payout; null until open.' });
  setHandler(
    binaryDeadlinesQuery,
    () => ({ waitingFor, expiresAt: trade ? new Date(trade.expiresAt).getTime() : null }),
    { description: 'What the trade waits for and its expiry instant (epoch ms).' },
  );
  setHandler(
    retrySettlementSignal,
    (message) => {
      const retry = gate.receive<{ adminId: string }>(RETRY_SETTLEMENT, message, (r) => actors.admin(r.adminId));
      if (retry) retryRequested = true;
    },
    { description: 'An admin asks for another settlement attempt after SETTLEMENT_FAILED, signed by admin:<id>.' },
  );
  setHandler(
    openTradeUpdate,
    async () => {
      if (input.resume) throw domainFailure('INVALID_STATE', 'trade is already open');
      if (!opening) {
        opening = true;
        try {
          trade = await openWith.binaryOpen(input.open);
        } catch (err) {
          openFailure = asApplicationFailure(err);
        }
      }
      await condition(() => trade !== null || openFailure !== undefined);
      if (openFailure) throw openFailure;
      return trade!;
    },
    {
      description: 'Opens the trade of the signed start input (debits the stake); answers with the open trade.',
    },
  );

  const setStatus = (status: string) => upsertSearchAttributes([{ key: TradeStatusSearchAttribute, value: status }]);

  if (input.resume) {
    setCurrentDetails(`Resuming trade ${input.tradeId}: loading it to settle.`);
    trade = await db.binaryLoad(input.tradeId);
  } else {
    setCurrentDetails(
      `Opening: ${input.open.direction} ${input.open.symbol}, stake ${input.open.stake}, ${input.open.expirySeconds} s.`,
    );
    await condition(() => trade !== null || openFailure !== undefined);
    if (!trade) {
      setCurrentDetails(`Refused: ${openFailure?.message ?? 'not opened'}.`);
      waitingFor = 'nothing';
      await condition(allHandlersFinished);
      return null; // refused: nothing was debited, nothing is left behind
    }
  }
  setStatus(trade.status);

  const wait = new Date(trade.expiresAt).getTime() - Date.now();
  waitingFor = 'expiry';
  setCurrentDetails(
    `Open: ${trade.direction} ${trade.symbol} at ${trade.openPrice}, stake ${trade.stake}; waiting for expiry at ${trade.expiresAt}, then settlement.`,
  );
  if (wait > 0) await sleep(wait, { summary: 'expiry' });

  for (;;) {
    try {
      waitingFor = 'settlement';
      setCurrentDetails(`Settling at expiry ${trade.expiresAt}.`);
      trade = await settler.binarySettle(trade.id);
      setStatus(trade.status);
      break;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      trade = await db.binaryMarkSettlementFailed({ tradeId: trade.id, failure: err.cause?.message ?? err.message });
      setStatus('SETTLEMENT_FAILED');
      waitingFor = 'admin retry';
      setCurrentDetails('Settlement failed: the stake stays in escrow; waiting for an admin to retry (no deadline).');
      await condition(() => retryRequested);
      retryRequested = false;
    }
  }
  waitingFor = 'nothing';
  setCurrentDetails(`Settled: ${trade.status}, payout ${trade.payout ?? 0}.`);
  await condition(allHandlersFinished);
  return trade;
}

/** The domain failure inside an activity failure, so the client sees its type (INSUFFICIENT_FUNDS, ...). */
function asApplicationFailure(err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && isErrorCode(cause.type)) return domainFailure(cause.type, cause.message);
  return domainFailure('INTERNAL', 'could not open the trade');
}
