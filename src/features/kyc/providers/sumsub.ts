import type { ProviderResult } from '../rules';
import { assertSameDigest, bodyDigest, header, hmacHex, providerRequest, splitName } from './http';
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
// https://docs.sumsub.com/docs/webhook-manager , https://docs.sumsub.com/reference/authentication
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
    const body = JSON.stringify({
      externalUserId: applicant.userId,
      email: applicant.email,
      fixedInfo: { firstName: first, lastName: last, country: applicant.country },
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
          'X-App-Access-Sig': hmacHex('sha256', this.s.secretKey, ts + 'POST' + path + body),
        },
        body,
      },
      'Sumsub',
    );
    return { providerId: res.id };
  }
}

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
  createdAtMs?: string | number;
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
    if (p.type === 'applicantReviewed') {
      const answer = p.reviewResult?.reviewAnswer;
      if (answer === 'GREEN') outcome = 'APPROVED';
      else if (answer === 'RED') outcome = p.reviewResult?.reviewRejectType === 'RETRY' ? 'RETRY' : 'REJECTED';
      else return null;
    } else if (p.type === 'applicantPending' || p.type === 'applicantOnHold') {
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
        occurredAt: Number(p.createdAtMs ?? Date.parse(p.createdAt ?? '')) || 0,
        eventId: bodyDigest(rawBody),
        reason: p.reviewResult?.moderationComment ?? (labels || null),
      },
    };
  }
}
