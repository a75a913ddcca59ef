import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BinaryStatus, Direction } from './rules';
import type { Minor } from '../../kernel/money';

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

/** Opens the trade (with Update-with-Start): answers once the stake is debited and the row exists. */
export const openTradeUpdate = defineUpdate<BinaryTradeView>('openTrade');
/** An admin asks for another settlement attempt after SETTLEMENT_FAILED. */
export const retrySettlementSignal = defineSignal<[{ adminId: string }]>('retrySettlement');
export const binaryTradeQuery = defineQuery<BinaryTradeView | null>('binaryTrade');
