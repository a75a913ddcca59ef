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
