import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createOrm } from '../../src/kernel/db/orm';
import { AppError } from '../../src/kernel/errors';
import { postTransaction, systemAccount, walletAccount, walletBalance } from '../../src/kernel/ledger';
import { createUser } from '../../src/features/auth/users';
import { uniqueEmail } from '../helpers/http';

let orm: MikroORM;

beforeAll(async () => {
  orm = await createOrm(process.env.TEST_DATABASE_URL!);
});
afterAll(() => orm.close());

async function newUser(): Promise<string> {
  const user = await createUser(orm.em.fork(), {
    email: uniqueEmail(),
    password: 'a long password',
    fullName: 'Ledger User',
    country: 'FR',
  });
  return user.id;
}

const deposit = (userId: string, amount: number, key = randomUUID()) =>
  orm.em.fork().transactional((em) =>
    postTransaction(em, {
      idempotencyKey: key,
      kind: 'deposit',
      request: { userId, amount },
      lines: [
        { account: walletAccount(userId), amount },
        { account: systemAccount('cash'), amount: -amount },
      ],
    }),
  );

const withdraw = (userId: string, amount: number, key = randomUUID()) =>
  orm.em.fork().transactional((em) =>
    postTransaction(em, {
      idempotencyKey: key,
      kind: 'withdrawal',
      request: { userId, amount },
      lines: [
        { account: walletAccount(userId), amount: -amount },
        { account: systemAccount('cash'), amount },
      ],
    }),
  );

const ledgerSum = async () =>
  Number((await orm.em.fork().execute<{ s: string }[]>('select coalesce(sum(amount),0) s from ledger_entries'))[0]!.s);

describe('double-entry ledger', () => {
  it("every entry carries its transaction's kind (the AML snapshot reads it from the entries), whatever the insert says", async () => {
    const userId = await newUser();
    const d = await deposit(userId, 7_000);
    const w = await withdraw(userId, 2_000);
    const kinds = await orm.em
      .fork()
      .execute<{ transaction_id: string; kind: string }[]>(
        `select transaction_id, kind from ledger_entries where transaction_id in (?, ?) order by kind`,
        [d.id, w.id],
      );
    expect(kinds.map((k) => [k.transaction_id, k.kind])).toEqual([
      [d.id, 'deposit'],
      [d.id, 'deposit'],
      [w.id, 'withdrawal'],
      [w.id, 'withdrawal'],
    ]);
    // A writer naming another kind is overruled by the transaction's.
    await orm.em.fork().transactional(async (em) => {
      await em.execute(
        `insert into ledger_entries (transaction_id, account, user_id, amount, kind) values (?, 'system:a', null, 5, 'binary-open'), (?, 'system:b', null, -5, 'binary-open')`,
        [d.id, d.id],
      );
    });
    const [forged] = await orm.em
      .fork()
      .execute<{ n: string }[]>(
        `select count(*) n from ledger_entries where transaction_id = ? and kind <> 'deposit'`,
        [d.id],
      );
    expect(Number(forged!.n)).toBe(0);
  });

  it('moves money once per idempotency key and replays the same transaction', async () => {
    const userId = await newUser();
    const key = randomUUID();
    const first = await deposit(userId, 5_000, key);
    const again = await deposit(userId, 5_000, key);
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ id: first.id, replayed: true });
    expect(await walletBalance(orm.em.fork(), userId)).toBe(5_000);
    expect(await ledgerSum()).toBe(0);
  });

  it('refuses the same key for a different request with IDEMPOTENCY_KEY_REUSED', async () => {
    const userId = await newUser();
    const key = randomUUID();
    await deposit(userId, 100, key);
    await expect(deposit(userId, 200, key)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await walletBalance(orm.em.fork(), userId)).toBe(100);
  });

  it('never lets a balance go negative, and leaves nothing behind when refused', async () => {
    const userId = await newUser();
    await deposit(userId, 1_000);
    const key = randomUUID();
    await expect(withdraw(userId, 1_001, key)).rejects.toBeInstanceOf(AppError);
    await expect(withdraw(userId, 1_001, key)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const rows = await orm.em.fork().execute('select 1 from ledger_transactions where idempotency_key = ?', [key]);
    expect(rows).toHaveLength(0);
    expect(await walletBalance(orm.em.fork(), userId)).toBe(1_000);
  });

  it('keeps the balance right under 40 concurrent withdrawals racing for 25 units of funds', async () => {
    const userId = await newUser();
    await deposit(userId, 2_500);
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => withdraw(userId, 100)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(25);
    expect(await walletBalance(orm.em.fork(), userId)).toBe(0);
    const entries = await orm.em
      .fork()
      .execute<{ s: string }[]>('select sum(amount) s from ledger_entries where account = ?', [walletAccount(userId)]);
    expect(Number(entries[0]!.s)).toBe(0);
  });

  it('refuses a debit from a locked wallet but accepts a credit into it', async () => {
    const userId = await newUser();
    await deposit(userId, 1_000);
    await orm.em.fork().execute('update wallets set locked = true where user_id = ?', [userId]);
    await expect(withdraw(userId, 10)).rejects.toMatchObject({ code: 'WALLET_LOCKED' });
    await deposit(userId, 10);
    expect(await walletBalance(orm.em.fork(), userId)).toBe(1_010);
  });

  it('rejects an unbalanced transaction in the database itself', async () => {
    const userId = await newUser();
    await expect(
      orm.em.fork().transactional(async (em) => {
        const [tx] = await em.execute<{ id: string }[]>(
          `insert into ledger_transactions (idempotency_key, kind, request_hash) values (?, 'bad', 'x') returning id`,
          [randomUUID()],
        );
        await em.execute(
          `insert into ledger_entries (transaction_id, account, user_id, amount) values (?, ?, ?, 500)`,
          [tx!.id, walletAccount(userId), userId],
        );
      }),
    ).rejects.toThrow(/does not balance/);
    expect(await ledgerSum()).toBe(0);
  });

  it('keeps ledger entries and audit rows append-only', async () => {
    const userId = await newUser();
    await deposit(userId, 300);
    await expect(
      orm.em.fork().execute('update ledger_entries set amount = amount * 2 where user_id = ?', [userId]),
    ).rejects.toThrow(/append-only/);
    await expect(orm.em.fork().execute(`delete from audit_logs where target_id = ?`, [userId])).rejects.toThrow(
      /append-only/,
    );
    const audit = await orm.em.fork().execute(`select action from audit_logs where target_id = ?`, [userId]);
    expect(audit).toEqual([{ action: 'user.created' }]);
  });
});
