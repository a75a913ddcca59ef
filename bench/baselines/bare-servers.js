// The baselines of the HTTP workloads: plain node:http servers doing the same work the plainest way.
//   node bench/baselines/bare-servers.js json <port>             GET /health -> {"status":"ok"}
//   node bench/baselines/bare-servers.js wallet <port> <dbUrl>    GET /wallet?user=<id>: the API's wallet
//                                                                 query through `pg` (pool of 10, as the API)
'use strict';
const http = require('node:http');
const { Buffer } = require('node:buffer');
const { URL } = require('node:url');

const [kind, port, dbUrl] = process.argv.slice(2);
const json = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

let handler;
if (kind === 'json') {
  handler = (req, res) => json(res, 200, { status: 'ok' });
} else if (kind === 'wallet') {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: dbUrl, max: 10 });
  handler = (req, res) => {
    const user = new URL(req.url, 'http://x').searchParams.get('user');
    pool
      .query('select balance, currency, locked, locked_reason from wallets where user_id = $1', [user])
      .then(({ rows }) => {
        const w = rows[0];
        if (!w) return json(res, 404, { error: 'not found' });
        json(res, 200, {
          balance: Number(w.balance),
          currency: w.currency,
          locked: w.locked,
          lockedReason: w.locked_reason,
        });
      })
      .catch((err) => json(res, 500, { error: err.message }));
  };
} else {
  process.stderr.write(`unknown kind ${kind}\n`);
  process.exit(2);
}
const server = http.createServer(handler);
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
