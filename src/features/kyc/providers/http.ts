import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderRejectedError, WebhookSignatureError, type Headers } from './types';

export const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export const hmacHex = (alg: 'sha1' | 'sha256' | 'sha512', secret: string, data: Buffer | string) =>
  createHmac(alg, secret).update(data).digest('hex');

/** Constant-time comparison of hex digests (timingSafeEqual throws on a length mismatch). */
export function assertSameDigest(expectedHex: string, givenHex: string | undefined): void {
  if (!givenHex || !/^[0-9a-fA-F]+$/.test(givenHex)) throw new WebhookSignatureError('missing or malformed signature');
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(givenHex.toLowerCase(), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new WebhookSignatureError('signature mismatch');
}

/** Identical redeliveries hash the same: the dedupe key when a provider sends no event id. */
export const bodyDigest = (raw: Buffer) => createHash('sha256').update(raw).digest('hex');

/**
 * A provider's birth date when it is a real calendar date written YYYY-MM-DD (Veriff's
 * `person.dateOfBirth`); anything else (null, a year only, 1990-02-30) is no verified date.
 */
export function calendarDate(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value ? value : null;
}

/** JSON request to a provider API; 4xx (but 429) is permanent, the rest may be retried. */
export async function providerRequest<T>(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  provider: string,
): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) {
    const message = `${provider} ${init.method} ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 200)}`;
    if (res.status >= 400 && res.status < 500 && res.status !== 429)
      throw new ProviderRejectedError(message, res.status);
    throw new Error(message);
  }
  return JSON.parse(text) as T;
}

export function splitName(fullName: string): { first: string; last: string } {
  const parts = fullName.trim().split(/\s+/);
  return { first: parts[0] ?? '', last: parts.slice(1).join(' ') || parts[0] || '' };
}
