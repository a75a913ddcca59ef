import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An integrator's webhook receiver, written from the README's "Verifying a delivery" alone (it
 * does not import the signing code): read the raw body, split `X-Signature` on commas into `t`
 * and every `v1`, refuse a `t` more than 300 s from now, and accept when any `v1` equals
 * hex(HMAC-SHA256(secret, "<t>.<raw body>")) for a secret it accepts, compared in constant time.
 * Answers 200 when accepted, 401 when not, or the status a test set for the path.
 */

export interface Reception {
  path: string;
  at: number;
  eventId: string;
  eventType: string;
  body: string;
  event: { id: string; type: string; createdAt: string; data: any };
  headers: IncomingMessage['headers'];
  t: number | null;
  signatures: string[];
  /** Names of the known secrets whose HMAC is among the signatures (and t within tolerance). */
  validFor: string[];
  status: number;
}

export interface PathRule {
  /** Names (keys of `secrets`) this path accepts. */
  accept: string[];
  /** Answer this status whatever the signature (e.g. 500: "receiver broken"). */
  status?: number;
}

const TOLERANCE_SECONDS = 300;

/** The README's check, for one secret. */
export function signatureValid(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowSeconds: number,
): boolean {
  if (!header) return false;
  let t: string | undefined;
  const v1: string[] = [];
  for (const item of header.split(',')) {
    const [k, v] = item.split('=', 2) as [string, string | undefined];
    if (k === 't') t = v;
    if (k === 'v1' && v) v1.push(v);
  }
  if (!t || !/^\d+$/.test(t) || Math.abs(nowSeconds - Number(t)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  return v1.some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

export async function startWebhookReceiver(secrets: Record<string, string>) {
  const received: Reception[] = [];
  const rules = new Map<string, PathRule>();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['x-signature'] as string | undefined;
      const now = Math.floor(Date.now() / 1000);
      const validFor = Object.entries(secrets)
        .filter(([, secret]) => signatureValid(header, body, secret, now))
        .map(([name]) => name);
      const path = (req.url ?? '/').split('?')[0]!;
      const rule = rules.get(path) ?? { accept: [] };
      const status = rule.status ?? (validFor.some((n) => rule.accept.includes(n)) ? 200 : 401);
      let event: Reception['event'];
      try {
        event = JSON.parse(body);
      } catch {
        event = { id: '', type: '', createdAt: '', data: null };
      }
      const parsed = /^t=(\d+)((?:,v1=[0-9a-f]+)*)$/.exec(header ?? '');
      received.push({
        path,
        at: Date.now(),
        eventId: event.id,
        eventType: event.type,
        body,
        event,
        headers: req.headers,
        t: parsed ? Number(parsed[1]) : null,
        signatures: parsed ? parsed[2]!.split(',v1=').filter(Boolean) : [],
        validFor,
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `refused ${status}`);
    });
  };

  const listen = async () => {
    server = createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    /** Receptions of one path (and, optionally, one event). */
    at: (path: string, eventId?: string) =>
      received.filter((r) => r.path === path && (eventId === undefined || r.eventId === eventId)),
    route(path: string, rule: PathRule) {
      rules.set(path, rule);
    },
    /** Down: the port refuses connections until start(). */
    stop,
    start: listen,
    close: stop,
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
