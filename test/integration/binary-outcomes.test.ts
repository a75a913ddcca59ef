import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../src/main/context';
import { BINARY_OUTCOME_CASES, type BinaryOutcomeCase } from '../helpers/binary-outcome-cases';
import { createTestContext, startTestApi, startTestWorker } from '../helpers/context';
import { eventually } from '../helpers/eventually';
import { httpClient, registerUser } from '../helpers/http';

/**
 * The hand-computed outcome table end to end: POST /binary/open through the API, the workflow's
 * expiry timer, the settlement activity with the recording price feed, the ledger and the wallet.
 * Prices come from a stand-in exchange (the Binance REST format the feed speaks) that quotes the
 * case's open price and then closes the expiry second at the case's close price. Each case gets a
 * symbol of its own, so no other test's recorded ticks can price it.
 */

interface Quote {
  open: number;
  close: number;
}

/** Ticker price = the open, every one-second candle closes at the close. */
function fakeExchange(quotes: Map<string, Quote>): Promise<{ url: string; server: Server }> {
  const decimal = (minor: number) => (minor / 100).toFixed(2);
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const pair = u.searchParams.get('symbol') ?? '';
    const quote = quotes.get(pair.replace(/USDT$/, 'USD'));
    res.setHeader('content-type', 'application/json');
    if (!quote) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }));
    }
    if (u.pathname === '/api/v3/ticker/price')
      return res.end(JSON.stringify({ symbol: pair, price: decimal(quote.open) }));
    if (u.pathname === '/api/v3/klines') {
      const start = Number(u.searchParams.get('startTime'));
      const [o, c] = [decimal(quote.open), decimal(quote.close)];
      return res.end(JSON.stringify([[start, o, o, c, c, '1.0', start + 999, '0', 1, '0', '0', '0']]));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

const randomLetters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(65 + randomInt(26))).join('');
const units = (minor: number) => (minor / 100).toFixed(2);

const quotes = new Map<string, Quote>();
const cases = BINARY_OUTCOME_CASES.map((c, i) => {
  const symbol = `ORC${randomLetters(4)}${String.fromCharCode(65 + i)}USD`;
  quotes.set(symbol, { open: c.openPrice, close: c.closePrice });
  return { ...c, symbol };
});
const rates = [...new Set(cases.map((c) => c.payoutRateBps))];

let exchange: { url: string; server: Server };
const stacks = new Map<number, { ctx: AppContext; http: ReturnType<typeof httpClient> }>();

beforeAll(async () => {
  exchange = await fakeExchange(quotes);
  // One API and worker per payout rate: the rate is a setting of the process.
  for (const rate of rates) {
    const ctx = await createTestContext({
      MARKET_FEED: 'EXCHANGE',
      EXCHANGE_BASE_URL: exchange.url,
      SYMBOLS: cases.map((c) => c.symbol).join(','),
      BINARY_PAYOUT_RATE_BPS: String(rate),
      BINARY_MIN_STAKE: '0.01',
    });
    await startTestWorker(ctx);
    stacks.set(rate, { ctx, http: httpClient((await startTestApi(ctx)).url) });
  }
});
afterAll(async () => {
  for (const { ctx } of stacks.values()) await ctx.shutdown.run('test done');
  await new Promise((r) => exchange?.server.close(r));
});

const DEPOSIT = 20_000;

it.each(cases)(
  '$direction $openPrice -> $closePrice, stake $stake at $payoutRateBps bps: $status pays $payout',
  async (c: BinaryOutcomeCase & { symbol: string }) => {
    const { ctx, http } = stacks.get(c.payoutRateBps)!;
    const sql = <T = any>(q: string, p: unknown[] = []) => ctx.orm.em.fork().execute<T[]>(q, p);
    const user = await registerUser(http);
    const dep = await http.post('/wallet/deposit', { amount: units(DEPOSIT) }, user.token, {
      'idempotency-key': `dep-${randomUUID()}`,
    });
    expect(dep.status).toBe(201);

    const res = await http.post(
      '/binary/open',
      { symbol: c.symbol, direction: c.direction, stake: units(c.stake), expiry: 1 },
      user.token,
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ openPrice: c.openPrice, stake: c.stake, payoutRate: c.payoutRateBps / 10_000 });

    const row = await eventually(
      async () => {
        const [r] = await sql('select * from binary_trades where id = ?', [res.body.id]);
        return r && r.status !== 'OPEN' ? r : undefined;
      },
      30_000,
      `settlement of ${c.symbol}`,
    );
    expect({ status: row.status, closePrice: Number(row.close_price), payout: Number(row.payout) }).toEqual({
      status: c.status,
      closePrice: c.closePrice,
      payout: c.payout,
    });
    expect((await http.get('/wallet', user.token)).body.balance).toBe(DEPOSIT - c.stake + c.payout);
    expect((await http.get(`/binary/${res.body.id}`, user.token)).body).toMatchObject({
      status: c.status,
      payout: c.payout,
    });
  },
);
