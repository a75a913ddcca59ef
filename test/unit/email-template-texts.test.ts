import { plain, renderEmail } from '../../src/features/notifications/templates';

/**
 * Each email as its recipient reads it, written out by hand from the wording the product asks for:
 * the greeting, the paragraphs in order, and the sign-off; the HTML part is the same paragraphs,
 * one <p> each, in a page titled with the subject.
 */
const SIGN_OFF = ['', '-- ', 'The compliance team'];
const textOf = (...paragraphs: string[]) => [...paragraphs, ...SIGN_OFF].join('\n');
const htmlOf = (title: string, ...paragraphs: string[]) =>
  [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${title}</title></head><body>`,
    ...paragraphs.map((p) => `<p>${p}</p>`),
    '<p>&mdash; The compliance team</p>',
    '</body></html>',
  ].join('\n');

describe('every template, word for word', () => {
  it('welcome', () => {
    expect(renderEmail({ template: 'welcome', data: { name: 'Ada' } })).toEqual({
      subject: 'Welcome to the platform',
      text: textOf(
        'Hello Ada,',
        'Your account has been created. Verify your identity (KYC) to start trading and withdrawing.',
      ),
      html: htmlOf(
        'Welcome to the platform',
        'Hello Ada,',
        'Your account has been created. Verify your identity (KYC) to start trading and withdrawing.',
      ),
    });
  });

  it('kyc-approved', () => {
    expect(renderEmail({ template: 'kyc-approved', data: { name: 'Ada' } }).text).toBe(
      textOf(
        'Hello Ada,',
        'Your identity verification (KYC) was approved. Withdrawals are now enabled on your account.',
      ),
    );
  });

  it('kyc-rejected, with and without a reason', () => {
    expect(renderEmail({ template: 'kyc-rejected', data: { name: 'Ada', reason: 'document expired' } }).text).toBe(
      textOf(
        'Hello Ada,',
        'Your identity verification (KYC) was not approved.',
        'Reason: document expired',
        'You can start a new verification from your account page.',
      ),
    );
    expect(renderEmail({ template: 'kyc-rejected', data: { name: 'Ada' } }).text).toBe(
      textOf(
        'Hello Ada,',
        'Your identity verification (KYC) was not approved.',
        'You can start a new verification from your account page.',
      ),
    );
  });

  it('withdrawal-approved, with the currency when one is given', () => {
    expect(renderEmail({ template: 'withdrawal-approved', data: { amount: '12.50', currency: 'USD' } })).toEqual({
      subject: 'Your withdrawal was approved',
      text: textOf('Your withdrawal of 12.50 USD was approved.', 'The funds are on their way to your payout account.'),
      html: htmlOf(
        'Your withdrawal was approved',
        'Your withdrawal of 12.50 USD was approved.',
        'The funds are on their way to your payout account.',
      ),
    });
    expect(renderEmail({ template: 'withdrawal-approved', data: { amount: '12.50' } }).text.split('\n')[0]).toBe(
      'Your withdrawal of 12.50 was approved.',
    );
  });

  it('account-frozen, with and without a reason', () => {
    const frozen = renderEmail({ template: 'account-frozen', data: { reason: '11 transactions in one minute' } });
    expect(frozen.subject).toBe('Your account has been frozen');
    expect(frozen.text).toBe(
      textOf(
        'Your account has been frozen pending a compliance review. Trading and withdrawals are paused.',
        'Reason: 11 transactions in one minute',
        'Our compliance team will contact you. Please do not open a new account.',
      ),
    );
    expect(renderEmail({ template: 'account-frozen', data: {} }).text).toBe(
      textOf(
        'Your account has been frozen pending a compliance review. Trading and withdrawals are paused.',
        'Our compliance team will contact you. Please do not open a new account.',
      ),
    );
  });

  it('account-unfrozen', () => {
    const r = renderEmail({ template: 'account-unfrozen', data: {} });
    expect(r.subject).toBe('Your account is active again');
    expect(r.text).toBe(textOf('The compliance review of your account is complete and your account is active again.'));
  });

  it('escapes the subject in the HTML title (an ampersand would be)', () => {
    // No subject holds markup today; the title goes through the same escaping as the body.
    const r = renderEmail({ template: 'kyc-rejected', data: { name: 'A & B' } });
    expect(r.html).toContain('<title>Your identity verification was not approved</title>');
    expect(r.html).toContain('<p>Hello A &amp; B,</p>');
  });

  it('refuses a template it does not know', () => {
    expect(() => renderEmail({ template: 'password-reset' as never, data: {} })).toThrow(
      'unknown email template password-reset',
    );
  });
});

describe('blank and missing values', () => {
  it.each([null, undefined, '', '   ', '\r\n', '\u0000'])('a name of %j greets "there"', (name) => {
    const r = renderEmail({ template: 'welcome', data: { name } });
    expect(r.text.split('\n')[0]).toBe('Hello there,');
  });

  it('a reason that is blank after cleaning leaves the Reason line out', () => {
    const r = renderEmail({ template: 'kyc-rejected', data: { name: 'Ada', reason: ' \r\n ' } });
    expect(r.text).not.toContain('Reason');
  });

  it('an optional greeting is left out for a blank name', () => {
    const r = renderEmail({ template: 'account-unfrozen', data: { name: '  ' } });
    expect(r.text.startsWith('The compliance review')).toBe(true);
  });

  it('a numeric value is written as is', () => {
    expect(renderEmail({ template: 'withdrawal-approved', data: { amount: 5 } }).text.split('\n')[0]).toBe(
      'Your withdrawal of 5 was approved.',
    );
  });
});

describe('plain', () => {
  it('trims, collapses runs of whitespace and control characters to one space, caps the length', () => {
    expect(plain('  Ada  ')).toBe('Ada');
    expect(plain('Ada   Lovelace')).toBe('Ada Lovelace');
    expect(plain('Ada\t\tLovelace')).toBe('Ada Lovelace');
    expect(plain('Ada\u0000\u0001\u007fLovelace')).toBe('Ada Lovelace');
    expect(plain(null)).toBe('');
    expect(plain(undefined)).toBe('');
    expect(plain(42)).toBe('42');
    expect(plain('x'.repeat(600))).toHaveLength(500);
    expect(plain('abc def', 4)).toBe('abc');
  });
});
