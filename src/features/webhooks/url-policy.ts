import { lookup as dnsLookup, promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../kernel/errors';

/**
 * Where outbound webhooks may go (SSRF): http(s) only, no credentials in the URL, and, unless
 * WEBHOOK_ALLOW_PRIVATE_URLS is set, no host that resolves to a private, loopback, link-local,
 * shared, reserved, documentation, multicast or otherwise non-public address, IPv4 or IPv6.
 * Checked at registration (every address the name resolves to) and again at every connection
 * (the address actually connected to), so a DNS answer that changes after registration
 * (rebinding) cannot reach an internal service.
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address of any kind
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}
// IPv4-mapped (::ffff:a.b.c.d) addresses are checked against the IPv4 list by BlockList itself.

/** The IPv4 address embedded in a NAT64 address (64:ff9b::/96, as DNS64 synthesizes), else null. */
function nat64Embedded(address: string): string | null {
  const m = /^64:ff9b::(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(address);
  if (!m) return null;
  if (m[3]) return m[3];
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** True for any address a webhook must not reach (unless private URLs are allowed). Not an IP: true. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const embedded = nat64Embedded(ip);
    if (embedded) return blocked.check(embedded, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Validates an endpoint URL for registration; returns it normalised. A malformed URL, another
 * scheme or credentials in it: VALIDATION_FAILED (400). A host that does not resolve, or that
 * resolves to a refused address: UNPROCESSABLE (422).
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must start with http:// or https://');
  if (url.username || url.password) throw invalid('url must not contain credentials');
  url.hash = '';
  if (options.allowPrivate) return url.toString();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (options.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch {
      throw new AppError('UNPROCESSABLE', `url host ${host} does not resolve`);
    }
    if (addresses.length === 0) throw new AppError('UNPROCESSABLE', `url host ${host} does not resolve`);
  }
  const refused = addresses.filter(isPrivateAddress);
  if (refused.length) {
    throw new AppError(
      'UNPROCESSABLE',
      `url host ${host} resolves to a private, loopback or reserved address (${refused.join(', ')}); webhooks go to public addresses only`,
    );
  }
  return url.toString();
}

const invalid = (message: string) => new AppError('VALIDATION_FAILED', message, [{ path: ['url'], message }]);

/** Thrown at connection time for a refused address: the delivery fails for good. */
export class RefusedAddressError extends Error {
  readonly code = 'EWEBHOOKREFUSED';
  constructor(host: string, address: string) {
    super(`refused to connect to ${host} at ${address}: not a public address`);
    this.name = 'RefusedAddressError';
  }
}

/**
 * A `lookup` for http.request that refuses private addresses (unless allowed): the check is on
 * the address the socket then connects to, so no second resolution can differ from it.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err);
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused) return callback(new RefusedAddressError(hostname, refused.address));
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }));
      return callback(null, first.address, first.family);
    });
  }) as unknown as LookupFunction;
}
