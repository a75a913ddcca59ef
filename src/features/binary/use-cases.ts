import type { EntityManager } from '@mikro-orm/postgresql';
import type { BinaryTradeView, OpenTradeInput } from './contract';
import { recordOutbox } from '../../kernel/outbox';
import { amlCheckMessage } from '../aml/messages';
import { ADMINS_ROOM, liveEvent, userRoom } from '../realtime/events';
import { balanceEvent } from '../wallet/events';
import { recordWebhookEvent } from '../webhooks/events';
import { AppError } from '../../kernel/errors';
import { decideOutcome, payoutFor, type BinaryStatus, type Direction } from './rules';
import type { Minor } from '../../kernel/money';
import type { PriceFeed } from '../market/price-feed';
import type { DistributedLock } from '../../kernel/redis/distributed-lock';
import { lockBinaryTrade, unlockBinaryTrade } from '../../kernel/redis/distributed-lock';
import { assertMayDebit, assertNoComplianceHold, lockAccount } from '../wallet/account-state';
import { pausePoint } from '../../kernel/faults';
import { moneyTransaction } from '../../kernel/db/money-transaction';
import type { AmlGate } from '../aml/gate';
import { audit } from '../../kernel/audit';
import { postTransaction, systemAccount, walletAccount, walletBalance } from '../../kernel/ledger';

interface Row {
  id: string;
  user_id: string;
  symbol: string;
  direction: Direction;
  stake: string;
  payout_rate_bps: number;
  open_price: string;
  close_price: string | null;
  payout: string | null;
  status: BinaryStatus;
  opened_at: Date;
  expires_at: Date;
  settled_at: Date | null;
}

const view = (r: Row): BinaryTradeView => ({
  id: r.id,
  userId: r.user_id,
  symbol: r.symbol,
  direction: r.direction,
  stake: Number(r.stake),
  payoutRateBps: r.payout_rate_bps,
  openPrice: Number(r.open_price),
  closePrice: r.close_price === null ? null : Number(r.close_price),
  payout: r.payout === null ? null : Number(r.payout),
  status: r.status,
  openedAt: new Date(r.opened_at).toISOString(),
  expiresAt: new Date(r.expires_at).toISOString(),
  settledAt: r.settled_at ? new Date(r.settled_at).toISOString() : null,
});

export const ESCROW = systemAccount('binary-escrow');
export const HOUSE = systemAccount('binary-house');

/**
 * Debits the stake into escrow and creates the trade row at the current price, in one
 * transaction. Opening the same trade id again returns the existing trade.
 */
export async function openBinaryTrade(
  em: EntityManager,
  feed: PriceFeed,
  aml: AmlGate,
  input: OpenTradeInput,
): Promise<BinaryTradeView> {
  const existing = await findTrade(em, input.tradeId);
  if (existing) return existing;
  const tick = await feed.latest(input.symbol);
  return moneyTransaction(em, async (tx) => {
    assertMayDebit(await lockAccount(tx, input.userId));
    await assertNoComplianceHold(tx, input.userId);
    await postTransaction(tx, {
      idempotencyKey: `binary-${input.tradeId}-open`,
      kind: 'binary-open',
      request: { tradeId: input.tradeId, stake: input.stake },
      lines: [
        { account: walletAccount(input.userId), amount: -input.stake },
        { account: ESCROW, amount: input.stake },
      ],
    });
    const rows = await tx.execute<Row[]>(
      `insert into binary_trades (id, user_id, symbol, direction, stake, payout_rate_bps, open_price, opened_at, expires_at)
       values (?, ?, ?, ?, ?, ?, ?, now(), now() + make_interval(secs => ?))
       on conflict (id) do nothing returning *`,
      [
        input.tradeId,
        input.userId,
        input.symbol,
        input.direction,
        input.stake,
        input.payoutRateBps,
        tick.price,
        input.expirySeconds,
      ],
    );
    if (!rows[0]) return (await findTrade(tx, input.tradeId))!;
    audit(tx, {
      actor: { type: 'USER', id: input.userId },
      action: 'binary.opened',
      targetType: 'binary_trade',
      targetId: input.tradeId,
      after: { symbol: input.symbol, direction: input.direction, stake: input.stake, openPrice: tick.price },
    });
    const trade = view(rows[0]);
    await recordOutbox(
      tx,
      liveEvent(userRoom(trade.userId), 'binary:opened', {
        tradeId: trade.id,
        userId: trade.userId,
        symbol: trade.symbol,
        direction: trade.direction,
        stake: trade.stake,
        expiresAt: trade.expiresAt,
      }),
      balanceEvent(trade.userId, await walletBalance(tx, trade.userId)),
      amlCheckMessage(trade.userId, 'binary'),
    );
    await aml.decideWithin(tx, trade.userId, 'binary');
    return trade;
  });
}

export async function findTrade(em: EntityManager, tradeId: string): Promise<BinaryTradeView | null> {
  const rows = await em.execute<Row[]>(`select * from binary_trades where id = ?`, [tradeId]);
  return rows[0] ? view(rows[0]) : null;
}

export interface SettlementResult {
  trade: BinaryTradeView;
  /** False when the trade had already been settled (nothing moved this time). */
  settledNow: boolean;
  balance: Minor;
}

/** A settlement refused by the fencing token: its Redis lock expired and a newer holder registered. */
export class StaleSettlementLock extends AppError {
  constructor(
    readonly tradeId: string,
    readonly fencingToken: number,
    /** The token the row holds; null when the conditional write itself found a newer one. */
    readonly rowFence: number | null,
  ) {
    super('CONFLICT', `stale settlement lock: token ${fencingToken} < ${rowFence ?? 'a newer one'}`, {
      tradeId,
      fencingToken,
      rowFence,
    });
  }
}

/**
 * Settles a trade exactly once. The Redis lock is the first gate; the row lock, the status check
 * and the ledger's unique key `binary-<id>-settle` make a second settlement a no-op even when the
 * lock was lost. The fencing token is enforced by the database: the row keeps the highest token
 * any holder registered, and the settling write is conditional on it, so a holder whose lock
 * expired (paused, partitioned) while a newer one took over writes nothing.
 */
export async function settleBinaryTrade(
  deps: { em: EntityManager; feed: PriceFeed; lock: DistributedLock },
  tradeId: string,
): Promise<SettlementResult> {
  const lock = await lockBinaryTrade(deps.lock, tradeId);
  if (!lock) throw new AppError('CONFLICT', `trade ${tradeId} is being settled elsewhere`);
  try {
    await deps.em.execute(`update binary_trades set settle_fence = greatest(settle_fence, ?) where id = ?`, [
      lock.fencingToken,
      tradeId,
    ]);
    // Test-only window (FAULT_PAUSE_POINTS): the fault suite SIGSTOPs the holder here, past the TTL.
    await pausePoint('binary.settle.locked', tradeId);
    const current = await findTrade(deps.em, tradeId);
    if (!current) throw new AppError('NOT_FOUND', `binary trade ${tradeId} not found`);
    // The price in force at the expiry instant, not "now" (a late settlement changes nothing).
    const close =
      current.status === 'OPEN' || current.status === 'SETTLEMENT_FAILED'
        ? await deps.feed.priceAt(current.symbol, new Date(current.expiresAt))
        : null;
    return await moneyTransaction(deps.em, async (tx) => {
      // The global lock order: user, wallet, then the trade.
      await lockAccount(tx, current.userId);
      const rows = await tx.execute<(Row & { settle_fence: string })[]>(
        `select * from binary_trades where id = ? for update`,
        [tradeId],
      );
      const row = rows[0]!;
      // The fence first: a holder that lost its lock writes nothing and says so, whatever the
      // newer holder did meanwhile (settled, or failed before settling).
      if (Number(row.settle_fence) > lock.fencingToken) {
        throw new StaleSettlementLock(tradeId, lock.fencingToken, Number(row.settle_fence));
      }
      if (row.status !== 'OPEN' && row.status !== 'SETTLEMENT_FAILED') {
        return { trade: view(row), settledNow: false, balance: await walletBalance(tx, row.user_id) };
      }
      const trade = view(row);
      const outcome = decideOutcome(trade.direction, trade.openPrice, close!.price);
      const payout = payoutFor(outcome, trade.stake, trade.payoutRateBps);
      const lines =
        outcome === 'LOST'
          ? [
              { account: ESCROW, amount: -trade.stake },
              { account: HOUSE, amount: trade.stake },
            ]
          : [
              { account: ESCROW, amount: -trade.stake },
              { account: walletAccount(trade.userId), amount: payout },
              ...(payout > trade.stake ? [{ account: HOUSE, amount: trade.stake - payout }] : []),
            ];
      await postTransaction(tx, {
        idempotencyKey: `binary-${tradeId}-settle`,
        kind: 'binary-settle',
        request: { tradeId },
        lines,
        allowDebitFromLockedWallet: true,
      });
      const updated = await tx.execute<Row[]>(
        `update binary_trades set status = ?, close_price = ?, payout = ?, settled_at = now(), settle_fence = ?, failure = null
         where id = ? and settle_fence <= ? returning *`,
        [outcome, close!.price, payout, lock.fencingToken, tradeId, lock.fencingToken],
      );
      // A newer holder registered a higher token: this write is stale; the rollback undoes the posting.
      if (!updated[0]) throw new StaleSettlementLock(tradeId, lock.fencingToken, null);
      audit(tx, {
        actor: { type: 'SYSTEM', id: 'binary-settlement' },
        action: 'binary.settled',
        targetType: 'binary_trade',
        targetId: tradeId,
        before: { status: row.status },
        after: { status: outcome, closePrice: close!.price, payout },
      });
      const settled = view(updated[0]!);
      await recordWebhookEvent(tx, 'binary.settled', { trade: settled });
      const balance = await walletBalance(tx, trade.userId);
      await recordOutbox(
        tx,
        liveEvent(userRoom(settled.userId), 'binary:resolved', {
          tradeId: settled.id,
          userId: settled.userId,
          symbol: settled.symbol,
          direction: settled.direction,
          stake: settled.stake,
          status: settled.status,
          openPrice: settled.openPrice,
          closePrice: settled.closePrice,
          payout: settled.payout ?? 0,
          at: new Date().toISOString(),
        }),
        balanceEvent(settled.userId, balance),
      );
      return { trade: settled, settledNow: true, balance };
    });
  } finally {
    await unlockBinaryTrade(deps.lock, tradeId, lock.value);
  }
}

export async function markSettlementFailed(
  em: EntityManager,
  tradeId: string,
  failure: string,
): Promise<BinaryTradeView> {
  return em.transactional(async (tx) => {
    const rows = await tx.execute<Row[]>(
      `update binary_trades set status = 'SETTLEMENT_FAILED', failure = ? where id = ? and status = 'OPEN' returning *`,
      [failure.slice(0, 1000), tradeId],
    );
    if (rows[0]) {
      audit(tx, {
        actor: { type: 'SYSTEM', id: 'binary-settlement' },
        action: 'binary.settlement_failed',
        targetType: 'binary_trade',
        targetId: tradeId,
        before: { status: 'OPEN' },
        after: { status: 'SETTLEMENT_FAILED' },
        reason: failure,
      });
      await recordOutbox(
        tx,
        liveEvent(ADMINS_ROOM, 'admin:alert', {
          kind: 'binary.settlement_failed',
          message: `settlement of binary trade ${tradeId} failed: ${failure}`,
          subject: tradeId,
          at: new Date().toISOString(),
        }),
      );
      return view(rows[0]);
    }
    return (await findTrade(tx, tradeId))!;
  });
}

export async function listTrades(
  em: EntityManager,
  userId: string,
  status: BinaryStatus | undefined,
  limit: number,
  offset: number,
) {
  const where = status ? `user_id = ? and status = ?` : `user_id = ?`;
  const params = status ? [userId, status] : [userId];
  const rows = await em.execute<Row[]>(
    `select * from binary_trades where ${where} order by opened_at desc, id limit ? offset ?`,
    [...params, limit, offset],
  );
  const total = await em.execute<{ n: string }[]>(`select count(*) n from binary_trades where ${where}`, params);
  return { items: rows.map(view), total: Number(total[0]!.n), limit, offset };
}

/** OPEN trades whose expiry passed more than `graceMs` ago: candidates for reconciliation. */
export async function overdueOpenTrades(em: EntityManager, graceMs: number): Promise<BinaryTradeView[]> {
  const rows = await em.execute<Row[]>(
    `select * from binary_trades where status = 'OPEN' and expires_at < now() - make_interval(secs => ?) order by expires_at limit 500`,
    [graceMs / 1000],
  );
  return rows.map(view);
}
