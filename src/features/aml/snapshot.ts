import type { EntityManager } from '@mikro-orm/postgresql';
import type { AmlSnapshot } from './rules';
import { AppError } from '../../kernel/errors';

/**
 * The per-user numbers the AML rules read, computed in PostgreSQL in one round trip over indexed
 * columns (ledger entries by user and time, with their transaction's kind copied onto them so no
 * join reaches other users' transactions; trades by user and time). "Today" is the UTC day.
 */
export async function amlSnapshot(em: EntityManager, userId: string): Promise<AmlSnapshot> {
  const rows = await em.execute<Record<string, string | null>[]>(
    `with money as (
       select kind, abs(amount) as amount, created_at from ledger_entries
       where user_id = ? and kind in ('deposit', 'withdrawal', 'binary-open') and created_at > now() - interval '7 days'
     ),
     spot as (select notional, executed_at from trades where user_id = ? and executed_at > now() - interval '2 days'),
     bin as (select stake, opened_at from binary_trades where user_id = ? and opened_at > now() - interval '2 days'),
     day as (select date_trunc('day', now() at time zone 'utc') at time zone 'utc' as start)
     select
       u.country,
       (select count(*) from money where created_at > now() - interval '1 minute')
         + (select count(*) from spot where executed_at > now() - interval '1 minute') as tx_minute,
       (select count(*) from spot where executed_at > now() - interval '1 hour')
         + (select count(*) from bin where opened_at > now() - interval '1 hour') as trades_hour,
       (select coalesce(sum(notional), 0) from spot, day where executed_at >= day.start)
         + (select coalesce(sum(stake), 0) from bin, day where opened_at >= day.start) as volume_today,
       greatest((select coalesce(max(notional), 0) from spot, day where executed_at >= day.start),
                (select coalesce(max(stake), 0) from bin, day where opened_at >= day.start)) as largest_today,
       (select coalesce(sum(amount), 0) from money, day where kind = 'deposit' and created_at >= day.start) as deposits_today,
       (select coalesce(sum(amount), 0) from money, day where kind = 'withdrawal' and created_at >= day.start) as withdrawals_today,
       (select coalesce(sum(amount), 0) from money where kind = 'deposit' and created_at > now() - interval '24 hours') as deposits_24h,
       (select coalesce(sum(amount), 0) from money where kind = 'withdrawal' and created_at > now() - interval '24 hours') as withdrawals_24h,
       (select coalesce(sum(notional), 0) from spot where executed_at > now() - interval '24 hours')
         + (select coalesce(sum(stake), 0) from bin where opened_at > now() - interval '24 hours') as volume_24h,
       (select coalesce(string_agg(amount::text, ','), '') from money where kind = 'deposit') as deposits_7d
     from users u where u.id = ?`,
    [userId, userId, userId, userId],
  );
  const r = rows[0];
  if (!r) throw new AppError('NOT_FOUND', 'user not found');
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    userId,
    country: r.country ?? '',
    transactionsLastMinute: n('tx_minute'),
    tradesLastHour: n('trades_hour'),
    tradeVolumeToday: n('volume_today'),
    largestTradeToday: n('largest_today'),
    depositsToday: n('deposits_today'),
    withdrawalsToday: n('withdrawals_today'),
    depositsLast24h: n('deposits_24h'),
    withdrawalsLast24h: n('withdrawals_24h'),
    tradeVolumeLast24h: n('volume_24h'),
    depositAmountsLast7d: (r.deposits_7d ?? '').split(',').filter(Boolean).map(Number),
  };
}
