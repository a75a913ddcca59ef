import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { amlSnapshot } from '../../src/features/aml/snapshot';
import { AppError } from '../../src/kernel/errors';
import { idempotencyKeyFrom } from '../../src/kernel/idempotency';
import { postTransaction, requestHash, systemAccount, walletAccount } from '../../src/kernel/ledger';

/**
 * The parts of the ledger, idempotency and the AML snapshot that decide without the database.
 * Everything that reads or writes tables is covered by test/integration (ledger, money-concurrency,
 * aml-records), which is too slow to run per mutant.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('requestHash: equal requests hash equally whatever their key order', () => {
  it('is the SHA-256 of the JSON with keys sorted at every level', () => {
    expect(requestHash({ b: 1, a: { d: [2, { y: 1, x: 'v' }], c: null } })).toBe(
      sha256('{"a":{"c":null,"d":[2,{"x":"v","y":1}]},"b":1}'),
    );
    expect(requestHash({ amount: 1250, currency: 'USD' })).toBe(requestHash({ currency: 'USD', amount: 1250 }));
  });

  it('keeps array order and value types apart', () => {
    expect(requestHash([1, 2])).toBe(sha256('[1,2]'));
    expect(requestHash([1, 2])).not.toBe(requestHash([2, 1]));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: '1' }));
    expect(requestHash('x')).toBe(sha256('"x"'));
  });

  it('treats a missing request and a missing value as null', () => {
    expect(requestHash(undefined)).toBe(sha256('null'));
    expect(requestHash({ a: undefined })).toBe(sha256('{"a":null}'));
    expect(requestHash([])).toBe(sha256('[]'));
    expect(requestHash({})).toBe(sha256('{}'));
  });
});

describe('ledger accounts', () => {
  it('names wallet and system accounts', () => {
    expect(walletAccount('u1')).toBe('wallet:u1');
    expect(systemAccount('deposits')).toBe('system:deposits');
  });
});

describe('postTransaction refuses malformed transactions before any SQL', () => {
  const em = (inTransaction = true) => {
    const execute = jest.fn();
    return { em: { isInTransaction: () => inTransaction, execute } as unknown as EntityManager, execute };
  };
  const post = (lines: { account: string; amount: number }[], inTransaction = true) => {
    const { em: fake, execute } = em(inTransaction);
    const result = postTransaction(fake, { idempotencyKey: 'k', kind: 'deposit', lines, request: {} });
    return { result, execute };
  };
  const a = walletAccount('u1');
  const b = systemAccount('deposits');

  it('outside a database transaction', async () => {
    const { result, execute } = post(
      [
        { account: a, amount: 1 },
        { account: b, amount: -1 },
      ],
      false,
    );
    await expect(result).rejects.toThrow('postTransaction must run inside a transaction');
    expect(execute).not.toHaveBeenCalled();
  });

  it.each([
    ['one line', [{ account: a, amount: 0 }], 'a ledger transaction needs at least two lines'],
    ['no lines', [], 'a ledger transaction needs at least two lines'],
    [
      'unbalanced',
      [
        { account: a, amount: 100 },
        { account: b, amount: -99 },
      ],
      'ledger lines do not balance (sum 1)',
    ],
    [
      'a zero line',
      [
        { account: a, amount: 0 },
        { account: b, amount: 0 },
      ],
      'bad ledger amount 0',
    ],
    [
      'a fraction',
      [
        { account: a, amount: 0.5 },
        { account: b, amount: -0.5 },
      ],
      'bad ledger amount 0.5',
    ],
    [
      'beyond 2^53',
      [
        { account: a, amount: 2 ** 53 },
        { account: b, amount: -(2 ** 53) },
      ],
      `bad ledger amount ${2 ** 53}`,
    ],
  ])('%s', async (_why, lines, message) => {
    const { result, execute } = post(lines);
    await expect(result).rejects.toThrow(message);
    expect(execute).not.toHaveBeenCalled();
  });
});

describe('idempotencyKeyFrom', () => {
  it('accepts 8 to 128 characters of letters, digits and _.:-', () => {
    for (const key of ['abcd1234', 'A_b.c:d-9', 'x'.repeat(128), '2026-11-30:deposit:1']) {
      expect(idempotencyKeyFrom(key)).toBe(key);
    }
  });

  it.each([undefined, '', 'abc1234', 'x'.repeat(129), 'abcd 1234', 'abcd/1234', 'ключ-12345', 'abcd1234\n'])(
    'refuses %j as a validation error on the header',
    (key) => {
      let error: unknown;
      try {
        idempotencyKeyFrom(key);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'Idempotency-Key header is required (8-128 characters of [A-Za-z0-9_.:-])',
        details: [{ path: ['Idempotency-Key'], message: 'required' }],
      });
    },
  );
});

describe('amlSnapshot reads the one row its query returns', () => {
  const fake = (rows: Record<string, string | null>[]) => {
    const execute = jest.fn().mockResolvedValue(rows);
    return { em: { execute } as unknown as EntityManager, execute };
  };

  it('turns PostgreSQL numerics (strings) into numbers and the 7-day deposit list into amounts', async () => {
    const { em, execute } = fake([
      {
        country: 'DE',
        tx_minute: '3',
        trades_hour: '7',
        volume_today: '120000',
        largest_today: '50000',
        deposits_today: '250000',
        withdrawals_today: '1000',
        deposits_24h: '300000',
        withdrawals_24h: '2000',
        volume_24h: '130000',
        deposits_7d: '100000,150000,50000',
      },
    ]);
    expect(await amlSnapshot(em, 'u1')).toEqual({
      userId: 'u1',
      country: 'DE',
      transactionsLastMinute: 3,
      tradesLastHour: 7,
      tradeVolumeToday: 120_000,
      largestTradeToday: 50_000,
      depositsToday: 250_000,
      withdrawalsToday: 1_000,
      depositsLast24h: 300_000,
      withdrawalsLast24h: 2_000,
      tradeVolumeLast24h: 130_000,
      depositAmountsLast7d: [100_000, 150_000, 50_000],
    });
    // The user id fills every placeholder: money, spot, binary and the user row.
    expect(execute.mock.calls[0][1]).toEqual(['u1', 'u1', 'u1', 'u1']);
  });

  it('a user without country or activity reads as empty and zero', async () => {
    const { em } = fake([{ country: null, deposits_7d: '' }]);
    expect(await amlSnapshot(em, 'u2')).toMatchObject({
      country: '',
      transactionsLastMinute: 0,
      depositsLast24h: 0,
      depositAmountsLast7d: [],
    });
    expect((await amlSnapshot(fake([{ country: 'FR', deposits_7d: null }]).em, 'u3')).depositAmountsLast7d).toEqual([]);
  });

  it('an unknown user is NOT_FOUND', async () => {
    await expect(amlSnapshot(fake([]).em, 'nobody')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'user not found',
    });
  });
});
