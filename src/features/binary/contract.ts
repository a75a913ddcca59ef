import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BinaryStatus, Direction } from './rules';
import type { Minor } from '../../kernel/money';
import type { SignatureStamp, SignedMessage } from '../../kernel/temporal/signing';

/**
 * The binaryTrade workflow's contract: its input, messages and the trade view it returns,
 * imported by the workflow, its activities and its clients (BinaryTrades, the API).
 */

export const BINARY_WORKFLOW = 'binaryTrade';
export const binaryWorkflowId = (tradeId: string) => `binary-${tradeId}`;

export interface OpenTradeInput {
  tradeId: string;
  userId: string;
  symbol: string;
  direction: Direction;
  stake: Minor;
  payoutRateBps: number;
  expirySeconds: number;
}

export interface BinaryTradeView {
  id: string;
  userId: string;
  symbol: string;
  direction: Direction;
  stake: Minor;
  payoutRateBps: number;
  openPrice: Minor;
  closePrice: Minor | null;
  payout: Minor | null;
  status: BinaryStatus;
  openedAt: string;
  expiresAt: string;
  settledAt: string | null;
}

export type BinaryTradeInput = { resume: false; open: OpenTradeInput } | { resume: true; tradeId: string };

/**
 * The start input as the API sends it, signed (kernel/temporal/signing.ts): an open by
 * `user:<userId>`, a resume by `system:binary-reconciler` or `admin:<id>`. A run whose input is
 * not signed fails at once, before any activity: nobody debits a wallet through Temporal directly.
 */
export type SignedBinaryTradeInput = BinaryTradeInput & { signed?: SignatureStamp };

/** What the trade waits for and until when (the binaryDeadlines query). */
export interface BinaryDeadlines {
  waitingFor: 'open' | 'expiry' | 'settlement' | 'admin retry' | 'nothing';
  /** Epoch ms of the expiry instant, once the trade is open. */
  expiresAt: number | null;
}

export const RETRY_SETTLEMENT = 'retrySettlement';

/**
 * Opens the trade (with Update-with-Start): answers once the stake is debited and the row exists.
 * It carries nothing: what it opens is the signed start input.
 */
export const openTradeUpdate = defineUpdate<BinaryTradeView>('openTrade');
/** An admin asks for another settlement attempt after SETTLEMENT_FAILED, signed by `admin:<adminId>`. */
export const retrySettlementSignal = defineSignal<[SignedMessage<{ adminId: string }>]>(RETRY_SETTLEMENT);
export const binaryTradeQuery = defineQuery<BinaryTradeView | null>('binaryTrade');
export const binaryDeadlinesQuery = defineQuery<BinaryDeadlines>('binaryDeadlines');
