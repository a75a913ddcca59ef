import type { EntityManager } from '@mikro-orm/postgresql';
import { MAX_AMOUNT_MINOR, type Minor } from '../../kernel/money';
import { AppError } from '../../kernel/errors';
import { assertMayDebit, assertNoComplianceHold, lockAccount } from '../wallet/account-state';
import { moneyTransaction } from '../../kernel/db/money-transaction';
import type { AmlGate } from '../aml/gate';
import { audit } from '../../kernel/audit';
import { recordOutbox } from '../../kernel/outbox';
import { amlCheckMessage } from '../aml/messages';

export interface SpotTradeInput {
  userId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  /** Decimal string, up to 8 decimals. */
  quantity: string;
  /** Minor units per unit. */
  price: Minor;
}

/** Notional in minor units, rounded half up, computed with integers only. */
export function notionalOf(quantity: string, price: Minor): Minor {
  const [whole = '0', frac = ''] = quantity.split('.');
  const scaled = BigInt(whole + frac.padEnd(8, '0')); // quantity x 1e8
  const product = scaled * BigInt(price);
  return Number((product + 50_000_000n) / 100_000_000n);
}

/** Records an executed spot trade (the AML trade rules read these). */
export async function recordSpotTrade(em: EntityManager, aml: AmlGate, input: SpotTradeInput) {
  return moneyTransaction(em, async (tx) => {
    assertMayDebit(await lockAccount(tx, input.userId));
    await assertNoComplianceHold(tx, input.userId);
    const notional = Math.max(1, notionalOf(input.quantity, input.price));
    if (notional > MAX_AMOUNT_MINOR) {
      throw new AppError('UNPROCESSABLE', 'trade notional (quantity x price) is above the maximum amount');
    }
    const rows = await tx.execute<{ id: string; executed_at: Date }[]>(
      `insert into trades (user_id, symbol, side, quantity, price, notional) values (?, ?, ?, ?, ?, ?) returning id, executed_at`,
      [input.userId, input.symbol, input.side, input.quantity, input.price, notional],
    );
    const { id, executed_at } = rows[0]!;
    audit(tx, {
      actor: { type: 'USER', id: input.userId },
      action: 'trade.executed',
      targetType: 'trade',
      targetId: id,
      after: { symbol: input.symbol, side: input.side, quantity: input.quantity, price: input.price, notional },
    });
    await recordOutbox(tx, amlCheckMessage(input.userId, 'trade'));
    await aml.decideWithin(tx, input.userId, 'trade');
    return { id, ...input, notional, executedAt: new Date(executed_at).toISOString() };
  });
}
