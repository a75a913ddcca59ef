import { signatureHeader, verifySignatureHeader } from '../../src/features/webhooks/signing';
import { checkWebhookUrl, isPrivateAddress } from '../../src/features/webhooks/url-policy';
import { isDelivered, webhookBackoffMs, webhookRetrySchedule } from '../../src/features/webhooks/rules';
import { webhookEvent } from '../../src/features/webhooks/events';
import { AppError } from '../../src/kernel/errors';

describe('signatureHeader', () => {
  const body = '{"id":"evt_1","type":"kyc.decided"}';
  // Hand-computed: printf '%s' '1700000000.{"id":"evt_1","type":"kyc.decided"}' | openssl dgst -sha256 -hmac '<secret>'
  const CURRENT = '99920008b0457c60e489bc63e21feee2a4ddf1b648f54a532d096565fbe1e77e';
  const PREVIOUS = 'ab636cb29da2b5dce41b9ce61315b308f79556fdcb23f86ef55838e14b61555e';

  it('matches the openssl vector for one secret', () => {
    expect(signatureHeader(body, ['whsec_current_0123456789abcdef'], 1700000000)).toBe(`t=1700000000,v1=${CURRENT}`);
  });

  it('sends one v1 per secret, current first, during a rotation', () => {
    expect(
      signatureHeader(body, ['whsec_current_0123456789abcdef', 'whsec_previous_0123456789abcdef'], 1700000000),
    ).toBe(`t=1700000000,v1=${CURRENT},v1=${PREVIOUS}`);
  });

  it('signs the UTF-8 bytes of the body', () => {
    // printf '%s' '1733011200.{"data":{"name":"Zoë Ω"}}' | openssl dgst -sha256 -hmac 'whsec_current_0123456789abcdef'
    expect(signatureHeader('{"data":{"name":"Zoë Ω"}}', ['whsec_current_0123456789abcdef'], 1733011200)).toBe(
      't=1733011200,v1=2e8c1344de5f39c7a3ea506d787510889b8ac459cac09893b69233c437703641',
    );
  });

  it("the README's example header", () => {
    expect(signatureHeader('{"id":"x"}', ['whsec_example'], 1733011200)).toBe(
      't=1733011200,v1=01b172b7c247a2feaa4a7595c97b95d542e0953acf7831b4aa94dd91be7102e4',
    );
  });

  it('refuses no secret or a fractional timestamp', () => {
    expect(() => signatureHeader(body, [], 1)).toThrow(/secret/);
    expect(() => signatureHeader(body, ['s'], 1.5)).toThrow(/unix seconds/);
  });
});

describe('verifySignatureHeader (the receiver side of the README)', () => {
  const body = '{"id":"e"}';
  const t = 1_800_000_000;
  const header = signatureHeader(body, ['new-secret', 'old-secret'], t);

  it('accepts either secret during the overlap, within the tolerance', () => {
    expect(verifySignatureHeader(header, body, ['old-secret'], { nowSeconds: t + 299 })).toEqual({ ok: true });
    expect(verifySignatureHeader(header, body, ['new-secret'], { nowSeconds: t - 299 })).toEqual({ ok: true });
  });

  it('refuses a stale timestamp, another body, another secret, and garbage', () => {
    expect(verifySignatureHeader(header, body, ['new-secret'], { nowSeconds: t + 301 }).ok).toBe(false);
    expect(verifySignatureHeader(header, '{"id":"f"}', ['new-secret'], { nowSeconds: t }).ok).toBe(false);
    expect(verifySignatureHeader(header, body, ['other'], { nowSeconds: t }).ok).toBe(false);
    expect(verifySignatureHeader('v1=abc', body, ['new-secret'], { nowSeconds: t }).ok).toBe(false);
    expect(verifySignatureHeader(undefined, body, ['new-secret'], { nowSeconds: t }).ok).toBe(false);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.10',
    '198.18.0.1',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::7f00:1',
    '64:ff9b::10.0.0.1',
    '2002:7f00:1::1',
    '2001:db8::1',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('allows %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe('checkWebhookUrl', () => {
  const publicDns = async () => [{ address: '93.184.216.34', family: 4 }];
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (err) {
      return (err as AppError).code;
    }
  };

  it('accepts http and https to public addresses, without the fragment', async () => {
    await expect(
      checkWebhookUrl('https://hooks.example.com/in#x', { allowPrivate: false, resolve: publicDns }),
    ).resolves.toBe('https://hooks.example.com/in');
    await expect(checkWebhookUrl('http://93.184.216.34:8080/', { allowPrivate: false })).resolves.toBe(
      'http://93.184.216.34:8080/',
    );
  });

  it('refuses other schemes, credentials and garbage with 400', async () => {
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://u:p@example.com/',
      'nope',
    ]) {
      expect(await code(checkWebhookUrl(url, { allowPrivate: true }))).toBe('VALIDATION_FAILED');
    }
  });

  it('refuses loopback, private and link-local targets (literal or resolved, any answer) with 422 unless allowed', async () => {
    for (const url of ['http://127.0.0.1:9/', 'http://[::1]/', 'http://2130706433/', 'http://169.254.169.254/latest']) {
      expect(await code(checkWebhookUrl(url, { allowPrivate: false }))).toBe('UNPROCESSABLE');
      expect(await code(checkWebhookUrl(url, { allowPrivate: true }))).toBe('ok');
    }
    const mixed = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    expect(await code(checkWebhookUrl('https://rebind.example/', { allowPrivate: false, resolve: mixed }))).toBe(
      'UNPROCESSABLE',
    );
    const v6local = async () => [{ address: 'fd00::5', family: 6 }];
    expect(await code(checkWebhookUrl('https://v6.example/', { allowPrivate: false, resolve: v6local }))).toBe(
      'UNPROCESSABLE',
    );
    const nx = async () => {
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await code(checkWebhookUrl('https://nx.example/', { allowPrivate: false, resolve: nx }))).toBe(
      'UNPROCESSABLE',
    );
  });
});

describe('retry schedule', () => {
  it('doubles from the base and is capped', () => {
    const p = { baseMs: 30_000, maxMs: 3_600_000 };
    expect([1, 2, 3, 4, 7, 8, 9, 30].map((n) => webhookBackoffMs(n, p))).toEqual([
      30_000, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });

  it('defaults span about 24 hours: 31 attempts, the last one 24 h 3.5 min after the first', () => {
    const s = webhookRetrySchedule({ baseMs: 30_000, maxMs: 3_600_000, windowMs: 24 * 3600_000 });
    // 30+60+...+1920 s = 3810 s over 7 retries, then 23 retries of 1 h: 86,610 s.
    expect(s.attempts).toBe(31);
    expect(s.spanMs).toBe(86_610_000);
    expect(s.spanMs - s.delaysMs.at(-1)!).toBeLessThan(24 * 3600_000);
  });

  it('a short test policy', () => {
    expect(webhookRetrySchedule({ baseMs: 100, maxMs: 400, windowMs: 1000 })).toEqual({
      attempts: 5,
      delaysMs: [100, 200, 400, 400],
      spanMs: 1100,
    });
  });

  it('2xx only counts as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([null, 199, 301, 404, 500].some(isDelivered)).toBe(false);
  });
});

describe('webhookEvent', () => {
  it('has a unique id per event, the type, a timestamp and the data; a key names the business event', () => {
    const a = webhookEvent('kyc.decided', { userId: 'u' });
    const b = webhookEvent('kyc.decided', { userId: 'u' }, 'case-1');
    expect(a.payload.id).not.toBe(b.payload.id);
    expect(a.payload).toEqual({
      id: expect.any(String),
      type: 'kyc.decided',
      createdAt: expect.any(String),
      data: { userId: 'u' },
    });
    expect(a.key).toBeUndefined();
    expect(b.key).toBe('webhook-kyc.decided-case-1');
  });
});

describe('retry schedule and delivery edges', () => {
  it('stops as soon as the retries span the window exactly', () => {
    // 10 + 20 = 30 ms: the window is spanned after two retries, so three attempts in all.
    expect(webhookRetrySchedule({ baseMs: 10, maxMs: 1000, windowMs: 30 })).toEqual({
      attempts: 3,
      delaysMs: [10, 20],
      spanMs: 30,
    });
  });

  it('never plans more than 1,000 attempts, whatever the window', () => {
    const s = webhookRetrySchedule({ baseMs: 1, maxMs: 1, windowMs: 10 ** 12 });
    expect(s.attempts).toBe(1000);
    expect(s.delaysMs).toHaveLength(999);
  });

  it('300 is not delivered: redirects are not followed', () => {
    expect(isDelivered(300)).toBe(false);
  });
});
