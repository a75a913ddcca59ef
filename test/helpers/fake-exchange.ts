import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeExchange {
  url: string;
  /** `down`: the candles endpoint answers 503; `closePrice`: the close of every candle. */
  state: { down: boolean; closePrice: string };
  close(): Promise<void>;
}

/**
 * A Binance-format market-data server (GET /api/v3/ticker/price, GET /api/v3/klines) whose
 * opening price is fixed at 43000.00 and whose candle close is set by the caller, so a trade's
 * outcome (WON, LOST, TIE) and a settlement failure can be chosen.
 */
export async function startFakeExchange(): Promise<FakeExchange> {
  const state = { down: false, closePrice: '43000.00' };
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    res.setHeader('content-type', 'application/json');
    if (u.pathname === '/api/v3/ticker/price')
      return res.end(JSON.stringify({ symbol: u.searchParams.get('symbol'), price: '43000.00' }));
    if (u.pathname === '/api/v3/klines') {
      if (state.down) {
        res.statusCode = 503;
        return res.end(JSON.stringify({ code: -1001, msg: 'Internal error' }));
      }
      const start = Number(u.searchParams.get('startTime'));
      const close = state.closePrice;
      const [low, high] = [close, '43000.00'].sort((a, b) => Number(a) - Number(b));
      return res.end(
        JSON.stringify([[start, '43000.00', high, low, close, '1.0', start + 999, '0', 1, '0', '0', '0']]),
      );
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
