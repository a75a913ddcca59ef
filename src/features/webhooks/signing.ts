import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries the signatures. */
export const SIGNATURE_HEADER = 'X-Signature';

/** Receivers should refuse a timestamp further than this from their clock (replays). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, one `v1=` per secret that is
 * valid now (the current one first, then the previous one during a rotation). Pure: the
 * timestamp is the caller's.
 */
export function signatureHeader(body: string, secrets: readonly string[], timestamp: number): string {
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error('timestamp must be whole unix seconds');
  if (secrets.length === 0) throw new Error('at least one secret is needed to sign');
  const signed = `${timestamp}.${body}`;
  return [
    `t=${timestamp}`,
    ...secrets.map((s) => `v1=${createHmac('sha256', s).update(signed, 'utf8').digest('hex')}`),
  ].join(',');
}

/**
 * The receiving side, as the README describes it (for integrators on Node): parse `t` and every
 * `v1`, refuse a timestamp outside the tolerance, and accept when any `v1` equals the HMAC under
 * any of the receiver's secrets, compared in constant time.
 */
export function verifySignatureHeader(
  header: string | undefined,
  body: string,
  secrets: readonly string[],
  options: { nowSeconds: number; toleranceSeconds?: number },
): { ok: true } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'missing signature' };
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    const [k, v] = [part.slice(0, i).trim(), part.slice(i + 1).trim()];
    if (k === 't' && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) v1.push(v);
  }
  if (t === undefined || v1.length === 0) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(options.nowSeconds - t) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'timestamp outside the tolerance' };
  }
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex'));
    if (v1.some((s) => timingSafeEqual(Buffer.from(s), expected))) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
