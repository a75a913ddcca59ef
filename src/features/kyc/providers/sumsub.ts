import type { ProviderResult } from '../rules';
import { assertSameDigest, bodyDigest, header, hmacHex, providerRequest, splitName } from './http';
import { toAlpha3 } from './iso3166';
import {
  WebhookSignatureError,
  type Applicant,
  type Headers,
  type KycProviderClient,
  type KycWebhookReader,
} from './types';

// Sumsub: webhooks carry X-Payload-Digest, a hex HMAC of the raw body with the webhook secret, and
// X-Payload-Digest-Alg naming the hash (HMAC_SHA256_HEX by default). API requests are signed with
// X-App-Token, X-App-Access-Ts and X-App-Access-Sig = hex HMAC-SHA256(ts + METHOD + path + body).
// Webhook times (createdAtMs) are UTC date-times `yyyy-MM-dd HH:mm:ss.fff`; countries are
// ISO 3166-1 alpha-3. https://docs.sumsub.com/docs/webhook-manager ,
// https://docs.sumsub.com/docs/user-verification-webhooks , https://docs.sumsub.com/reference/authentication
const DIGEST_ALGS = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' } as const;

export interface SumsubSettings {
  baseUrl: string;
  appToken?: string;
  secretKey?: string;
  levelName: string;
  webhookSecret?: string;
}

export class SumsubClient implements KycProviderClient {
  readonly name = 'SUMSUB' as const;
  constructor(private readonly s: SumsubSettings & { appToken: string; secretKey: string }) {}

  async createVerification(applicant: Applicant): Promise<{ providerId: string }> {
    const path = `/resources/applicants?levelName=${encodeURIComponent(this.s.levelName)}`;
    const { first, last } = splitName(applicant.fullName);
    // The user record keeps ISO alpha-2; Sumsub takes alpha-3. A code outside ISO 3166-1 (e.g. the
    // user-assigned XK) is left out: the country then comes from the applicant's documents.
    const country = toAlpha3(applicant.country);
    const body = JSON.stringify({
      externalUserId: applicant.userId,
      email: applicant.email,
      fixedInfo: { firstName: first, lastName: last, ...(country ? { country } : {}) },
    });
    const ts = Math.floor(Date.now() / 1000).toString();
    const res = await providerRequest<{ id: string }>(
      `${this.s.baseUrl}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-App-Token': this.s.appToken,
          'X-App-Access-Ts': ts,
          'X-App-Access-Sig': sumsubRequestSignature(this.s.secretKey, ts, 'POST', path, body),
        },
        body,
      },
      'Sumsub',
    );
    return { providerId: res.id };
  }
}

/** X-App-Access-Sig: hex HMAC-SHA256 of timestamp + upper-case method + path with query + body. */
export const sumsubRequestSignature = (secretKey: string, ts: string, method: string, path: string, body = '') =>
  hmacHex('sha256', secretKey, ts + method.toUpperCase() + path + body);

/**
 * A Sumsub webhook time as epoch ms: createdAtMs (`2020-02-21 13:23:19.321`) or, without it,
 * createdAt (`2023-03-14 12:50:27+0000`); both are UTC, and are read as such whatever the
 * process time zone (Date.parse would take the bare date-time as local time). 0 when absent.
 */
export function sumsubEventTime(p: { createdAtMs?: unknown; createdAt?: unknown }): number {
  const ms = typeof p.createdAtMs === 'string' ? CREATED_AT_MS.exec(p.createdAtMs) : null;
  if (ms) return utc(ms.slice(1, 7), ms[7]!.padEnd(3, '0'));
  const at = typeof p.createdAt === 'string' ? CREATED_AT.exec(p.createdAt) : null;
  return at ? utc(at.slice(1, 7), '0') : 0;
}

const CREATED_AT_MS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,3})$/;
const CREATED_AT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\+0000$/;

function utc(parts: string[], millis: string): number {
  const [y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s, Number(millis));
  const back = new Date(t);
  // Date.UTC rolls 2020-13-40 over into a later date; such a value is not a time.
  const valid =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  return valid ? t : 0;
}

/** Events carrying the verification result: applicantReviewed, and applicantWorkflowCompleted for workflow levels. */
const RESULT_EVENTS = new Set(['applicantReviewed', 'applicantWorkflowCompleted']);

interface SumsubWebhook {
  type?: string;
  applicantId?: string;
  externalUserId?: string;
  reviewStatus?: string;
  reviewResult?: {
    reviewAnswer?: 'GREEN' | 'RED';
    reviewRejectType?: 'FINAL' | 'RETRY';
    rejectLabels?: string[];
    moderationComment?: string;
  };
  createdAtMs?: string;
  createdAt?: string;
}

export class SumsubWebhookReader implements KycWebhookReader {
  readonly name = 'SUMSUB' as const;
  constructor(private readonly webhookSecret: string) {}

  verify(headers: Headers, rawBody: Buffer): void {
    const algName = header(headers, 'x-payload-digest-alg') ?? 'HMAC_SHA256_HEX';
    const alg = DIGEST_ALGS[algName as keyof typeof DIGEST_ALGS];
    if (!alg) throw new WebhookSignatureError(`unsupported digest algorithm ${algName}`);
    assertSameDigest(hmacHex(alg, this.webhookSecret, rawBody), header(headers, 'x-payload-digest'));
  }

  read(payload: unknown, rawBody: Buffer) {
    const p = payload as SumsubWebhook;
    if (!p.applicantId || !p.externalUserId || !p.type) return null;
    let outcome: ProviderResult['outcome'];
    if (RESULT_EVENTS.has(p.type)) {
      const answer = p.reviewResult?.reviewAnswer;
      if (answer === 'GREEN') outcome = 'APPROVED';
      else if (answer === 'RED') outcome = p.reviewResult?.reviewRejectType === 'RETRY' ? 'RETRY' : 'REJECTED';
      else return null;
    } else if (p.type === 'applicantOnHold') {
      outcome = 'REVIEW'; // processing paused for a review at Sumsub; a result follows
    } else if (p.type === 'applicantPending') {
      outcome = 'PENDING';
    } else {
      return null;
    }
    const labels = p.reviewResult?.rejectLabels?.join(', ');
    return {
      userId: p.externalUserId,
      result: {
        provider: this.name,
        providerId: p.applicantId,
        outcome,
        occurredAt: sumsubEventTime(p),
        eventId: bodyDigest(rawBody),
        reason: p.reviewResult?.moderationComment ?? (labels || null),
      },
    };
  }
}
