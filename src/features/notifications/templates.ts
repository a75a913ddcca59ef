import type { EmailJob, EmailTemplate } from './email-queue';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Escapes a value for HTML text and attribute context. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Plain-text values: control characters removed (a CR/LF in a name must not start a new line,
 * or a header if a value ever reaches one), whitespace collapsed, length capped.
 */
export function plain(value: unknown, max = 500): string {
  return (
    String(value ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, max)
      .trimEnd()
  );
}

type Data = EmailJob['data'];

/** A template body: paragraphs of text where each user value is inserted through `v`. */
interface TemplateDef {
  subject: (d: Data) => string;
  paragraphs: (d: Data, v: (key: string, fallback?: string) => Part) => Part[][];
}

/** A piece of a paragraph: literal template text or a user-supplied value. */
type Part = { literal: string } | { value: string };

const lit = (literal: string): Part => ({ literal });

const greeting = (v: (key: string, fallback?: string) => Part) => [lit('Hello '), v('name', 'there'), lit(',')];

/** The seed's helpers for these templates take no name; callers that know it pass one. */
const optionalGreeting = (d: Data, v: (key: string, fallback?: string) => Part) => (d.name ? [greeting(v)] : []);

const TEMPLATES: Record<EmailTemplate, TemplateDef> = {
  welcome: {
    subject: () => 'Welcome to the platform',
    paragraphs: (_d, v) => [
      greeting(v),
      [lit('Your account has been created. Verify your identity (KYC) to start trading and withdrawing.')],
    ],
  },
  'kyc-approved': {
    subject: () => 'Your identity verification was approved',
    paragraphs: (_d, v) => [
      greeting(v),
      [lit('Your identity verification (KYC) was approved. Withdrawals are now enabled on your account.')],
    ],
  },
  'kyc-rejected': {
    subject: () => 'Your identity verification was not approved',
    paragraphs: (d, v) => [
      greeting(v),
      [lit('Your identity verification (KYC) was not approved.')],
      ...(d.reason ? [[lit('Reason: '), v('reason')]] : []),
      [lit('You can start a new verification from your account page.')],
    ],
  },
  'withdrawal-approved': {
    subject: () => 'Your withdrawal was approved',
    paragraphs: (d, v) => [
      ...optionalGreeting(d, v),
      [
        lit('Your withdrawal of '),
        v('amount'),
        ...(d.currency ? [lit(' '), v('currency')] : []),
        lit(' was approved.'),
      ],
      [lit('The funds are on their way to your payout account.')],
    ],
  },
  'account-frozen': {
    subject: () => 'Your account has been frozen',
    paragraphs: (d, v) => [
      ...optionalGreeting(d, v),
      [lit('Your account has been frozen pending a compliance review. Trading and withdrawals are paused.')],
      ...(d.reason ? [[lit('Reason: '), v('reason')]] : []),
      [lit('Our compliance team will contact you. Please do not open a new account.')],
    ],
  },
  'account-unfrozen': {
    subject: () => 'Your account is active again',
    paragraphs: (d, v) => [
      ...optionalGreeting(d, v),
      [lit('The compliance review of your account is complete and your account is active again.')],
    ],
  },
};

/**
 * Renders a job to subject, text and HTML. Every user-supplied value goes through `plain` for
 * the text part and additionally `escapeHtml` for the HTML part; the subject uses only
 * template text, so no user value can reach a header.
 */
export function renderEmail(job: Pick<EmailJob, 'template' | 'data'>): RenderedEmail {
  const def = TEMPLATES[job.template];
  if (!def) throw new Error(`unknown email template ${String(job.template)}`);
  // Every user value cleaned once; one that is blank after cleaning (spaces, a lone CR/LF) counts
  // as absent, so it gets the fallback greeting and leaves out its optional paragraph.
  const data: Data = {};
  for (const [key, raw] of Object.entries(job.data)) {
    const value = plain(raw);
    if (value) data[key] = value;
  }
  const v = (key: string, fallback = ''): Part => ({ value: String(data[key] ?? fallback) });
  const paragraphs = def.paragraphs(data, v);
  const textOf = (p: Part) => ('literal' in p ? p.literal : p.value);
  const htmlOf = (p: Part) => escapeHtml(textOf(p));
  const subject = def.subject(job.data);
  const text = [...paragraphs.map((p) => p.map(textOf).join('')), '', '-- ', 'The compliance team'].join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    ...paragraphs.map((p) => `<p>${p.map(htmlOf).join('')}</p>`),
    '<p>&mdash; The compliance team</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
