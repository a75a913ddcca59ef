import { escapeHtml, plain, renderEmail } from '../../src/features/notifications/templates';
import { isRetryableHttpStatus } from '../../src/features/notifications/transports/types';

describe('email templates', () => {
  it('renders every template with a subject, text and HTML', () => {
    for (const template of [
      'welcome',
      'kyc-approved',
      'kyc-rejected',
      'withdrawal-approved',
      'account-frozen',
      'account-unfrozen',
    ] as const) {
      const r = renderEmail({ template, data: { name: 'Ada', reason: 'blurry photo', amount: '12.50 USD' } });
      expect(r.subject.length).toBeGreaterThan(5);
      expect(r.text.length).toBeGreaterThan(20);
      expect(r.html).toMatch(/^<!doctype html>/);
    }
    const rejected = renderEmail({ template: 'kyc-rejected', data: { name: 'Ada', reason: 'blurry photo' } });
    expect(rejected.text).toContain('Hello Ada,');
    expect(rejected.text).toContain('Reason: blurry photo');
    expect(renderEmail({ template: 'withdrawal-approved', data: { amount: '12.50 USD' } }).text).toContain(
      'Your withdrawal of 12.50 USD was approved.',
    );
  });

  it('escapes every user value in HTML and strips control characters from text', () => {
    const name = `<script>alert("x")</script> & 'co'`;
    const r = renderEmail({
      template: 'kyc-rejected',
      data: { name, reason: '<img src=x onerror=alert(1)>\r\nBcc: evil@x' },
    });
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    expect(r.text).toContain(`Hello ${name},`);
    expect(r.text).not.toMatch(/\r|\nBcc/);
    expect(r.text).toContain('Reason: <img src=x onerror=alert(1)> Bcc: evil@x');
    // User values never reach the subject.
    expect(r.subject).toBe('Your identity verification was not approved');
  });

  it('uses a neutral greeting without a name and leaves out an empty reason', () => {
    const r = renderEmail({ template: 'kyc-rejected', data: {} });
    expect(r.text).toContain('Hello there,');
    expect(r.text).not.toContain('Reason:');
  });

  it('helpers: escapeHtml, plain, retryable statuses', () => {
    expect(escapeHtml(null)).toBe('');
    expect(plain('a\u0000b\n\nc  d', 4)).toBe('a b');
    expect([408, 429, 500, 503].map(isRetryableHttpStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 413].map(isRetryableHttpStatus)).toEqual([false, false, false, false, false]);
  });
});

describe('optional greeting', () => {
  it('greets by name in the seed name-less templates when the caller passes one', () => {
    expect(renderEmail({ template: 'withdrawal-approved', data: { amount: '5.00' } }).text).not.toContain('Hello');
    const r = renderEmail({ template: 'account-frozen', data: { name: 'Ada', reason: 'r' } });
    expect(r.text.startsWith('Hello Ada,\n')).toBe(true);
  });
});

describe('what the recipient reads', () => {
  const all = [
    'welcome',
    'kyc-approved',
    'kyc-rejected',
    'withdrawal-approved',
    'account-frozen',
    'account-unfrozen',
  ] as const;

  it('every template greets a hostile name escaped in HTML and on one line in text', () => {
    const name = 'Eve <b onmouseover="x()">\r\nBcc: a@b.test';
    for (const template of all) {
      const r = renderEmail({ template, data: { name, reason: 'r', amount: '1.00' } });
      expect([template, r.text.split('\n')[0]]).toEqual([template, 'Hello Eve <b onmouseover="x()"> Bcc: a@b.test,']);
      expect([template, r.html]).toEqual([
        template,
        expect.stringContaining('<p>Hello Eve &lt;b onmouseover=&quot;x()&quot;&gt; Bcc: a@b.test,</p>'),
      ]);
      expect([template, r.html.includes('<b ')]).toEqual([template, false]);
    }
  });

  it('welcome: greets by name, or "there" without one', () => {
    const r = renderEmail({ template: 'welcome', data: { name: 'Ada Lovelace' } });
    expect(r.subject).toBe('Welcome to the platform');
    expect(r.text.startsWith('Hello Ada Lovelace,\nYour account has been created.')).toBe(true);
    expect(renderEmail({ template: 'welcome', data: {} }).text.startsWith('Hello there,\n')).toBe(true);
  });

  it('kyc-approved says approved and withdrawals enabled, never "not approved"', () => {
    const r = renderEmail({ template: 'kyc-approved', data: { name: 'Ada' } });
    expect(r.subject).toBe('Your identity verification was approved');
    expect(r.text).toContain('Your identity verification (KYC) was approved. Withdrawals are now enabled');
    for (const part of [r.subject, r.text, r.html]) expect(part).not.toMatch(/not approved/i);
  });

  it('kyc-rejected says not approved, with the reason', () => {
    const r = renderEmail({ template: 'kyc-rejected', data: { name: 'Ada', reason: 'document expired' } });
    expect(r.subject).toBe('Your identity verification was not approved');
    expect(r.text).toContain('Your identity verification (KYC) was not approved.\nReason: document expired\n');
  });
});
