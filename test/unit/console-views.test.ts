import { html } from '../../src/features/console/html';
import { ago, kycDecisionBlock } from '../../src/features/console/views';
import { csrfMatches } from '../../src/features/console/session';

describe('console views', () => {
  it('escapes every interpolation unless it is already html', () => {
    const t = html; // not the html tag name: prettier would reformat the expected markup
    const name = `<script>alert("x")</script>&'`;
    expect(t`<p>${name}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
    expect(t`<ul>${[t`<li>${'a<b'}</li>`, null, false, undefined]}</ul>`.value).toBe('<ul><li>a&lt;b</li></ul>');
  });

  it('says why the KYC decision buttons are disabled', () => {
    expect(kycDecisionBlock({ userId: 'u1', status: 'PENDING' }, 'admin')).toBeNull();
    expect(kycDecisionBlock({ userId: 'u1', status: 'APPROVED' }, 'admin')).toBe('This case is already APPROVED.');
    expect(kycDecisionBlock({ userId: 'admin', status: 'PENDING' }, 'admin')).toMatch(/your own KYC/);
  });

  it('formats waiting time', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    expect(ago(new Date('2026-01-01T23:59:30Z'), now)).toBe('30 s');
    expect(ago(new Date('2026-01-01T23:00:00Z'), now)).toBe('60 min');
    expect(ago(new Date('2025-12-30T00:00:00Z'), now)).toBe('3 d');
  });

  it('compares CSRF tokens exactly', () => {
    expect(csrfMatches('abc', 'abc')).toBe(true);
    expect(csrfMatches('abc', 'abd')).toBe(false);
    expect(csrfMatches('abc', 'ab')).toBe(false);
    expect(csrfMatches('abc', undefined)).toBe(false);
  });
});
