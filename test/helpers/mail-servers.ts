import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Delivery {
  from: string;
  to: string[];
  raw: string;
  at: number;
}

/** A real SMTP server (smtp-server) on a free port that records every message it accepts. */
export async function startSmtpServer(opts: { delayMs?: number } = {}) {
  const deliveries: Delivery[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accept = () => {
          deliveries.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            at: Date.now(),
          });
          callback();
        };
        if (opts.delayMs) setTimeout(accept, opts.delayMs);
        else accept();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    deliveries,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Decodes a quoted-printable body part enough to search it (soft breaks and =XX escapes). */
export const decodeQuotedPrintable = (s: string) =>
  Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

export interface SendGridRequest {
  path: string;
  method: string;
  authorization?: string;
  contentType?: string;
  body: any;
}

/**
 * A local stand-in for SendGrid's v3 Mail Send endpoint. `script(to, n)` picks the status of the
 * n-th request (1-based) for a recipient; 202 when it returns undefined.
 */
export async function startSendGridServer(script: (to: string, n: number) => number | undefined) {
  const requests: SendGridRequest[] = [];
  const perRecipient = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      requests.push({
        path: req.url ?? '',
        method: req.method ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      const to: string = body?.personalizations?.[0]?.to?.[0]?.email ?? '';
      const n = (perRecipient.get(to) ?? 0) + 1;
      perRecipient.set(to, n);
      const status = script(to, n) ?? 202;
      if (status === 202) {
        res.writeHead(202, { 'x-message-id': `msg-${requests.length}` });
        res.end();
      } else {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: `scripted ${status}`, field: null }] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    countFor: (to: string) => perRecipient.get(to) ?? 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
