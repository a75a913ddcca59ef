import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress, RefusedAddressError } from './url-policy';

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the response body, for the deliveries log. */
  responseExcerpt: string | null;
  /** The target may never be reached (refused address): retrying cannot help. */
  permanent: boolean;
}

const EXCERPT_BYTES = 512;

/**
 * One POST of a webhook body: no redirects followed, no connection reuse, the whole exchange
 * bounded by `timeoutMs`, the connected address checked against the SSRF policy. Never throws:
 * every outcome is a result to log.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  const failure = (err: Error): SendResult => ({
    statusCode: null,
    latencyMs: elapsed(),
    error: err.message || String(err),
    responseExcerpt: null,
    permanent: err instanceof RefusedAddressError,
  });

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(failure(new Error(`invalid url ${url}`)));
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // An IP literal is connected to without a lookup: check it here.
  if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve(failure(new RefusedAddressError(host, host)));
  }

  return new Promise<SendResult>((resolve) => {
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(options.allowPrivate),
      agent: false,
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    req.on('error', (err) => finish(failure(err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < EXCERPT_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('error', (err) => finish(failure(err)));
      res.on('end', () => {
        const code = res.statusCode ?? null;
        const ok = code !== null && code >= 200 && code < 300;
        const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
        finish({
          statusCode: code,
          latencyMs: elapsed(),
          error: ok ? null : `receiver answered ${code}`,
          responseExcerpt: excerpt || null,
          permanent: false,
        });
      });
    });
    req.end(body);
  });
}
