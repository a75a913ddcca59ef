import type { ProviderResult } from '../rules';
import { assertSameDigest, bodyDigest, calendarDate, header, hmacHex, providerRequest, splitName } from './http';
import {
  WebhookSignatureError,
  type Applicant,
  type Headers,
  type KycProviderClient,
  type KycWebhookReader,
} from './types';

// Veriff: requests and webhooks carry X-AUTH-CLIENT (the integration's API key) and
// X-HMAC-SIGNATURE, a hex HMAC-SHA256 of the raw body with the shared secret (the legacy
// X-SIGNATURE is ignored). Decision codes (the session status table): 9001 approved, 9102
// declined, 9103 resubmission_requested, 9104 expired or abandoned, 9121 review (a person at
// Veriff reviews the session; a decision follows).
// https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security ,
// https://devdocs.veriff.com/docs/verification-session-status-codes-table
export interface VeriffSettings {
  baseUrl: string;
  apiKey: string;
  sharedSecret: string;
}

export class VeriffClient implements KycProviderClient {
  readonly name = 'VERIFF' as const;
  constructor(private readonly s: VeriffSettings) {}

  async createVerification(applicant: Applicant): Promise<{ providerId: string }> {
    const { first, last } = splitName(applicant.fullName);
    const body = JSON.stringify({
      verification: { person: { firstName: first, lastName: last }, vendorData: applicant.userId },
    });
    const res = await providerRequest<{ verification: { id: string } }>(
      `${this.s.baseUrl}/v1/sessions`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-AUTH-CLIENT': this.s.apiKey,
          'X-HMAC-SIGNATURE': hmacHex('sha256', this.s.sharedSecret, body),
        },
        body,
      },
      'Veriff',
    );
    return { providerId: res.verification.id };
  }
}

interface VeriffDecision {
  verification?: {
    id?: string;
    code?: number;
    status?: string;
    vendorData?: string;
    /** The person as read from the document; `dateOfBirth` is YYYY-MM-DD or null. */
    person?: { dateOfBirth?: string | null } | null;
    reason?: string | null;
    decisionTime?: string;
    acceptanceTime?: string;
  };
}

const CODES: Record<number, ProviderResult['outcome']> = {
  9001: 'APPROVED',
  9102: 'REJECTED',
  9103: 'RETRY', // resubmission requested
  9104: 'RETRY', // expired or abandoned: the session is over without a decision
  9121: 'REVIEW', // in review at Veriff: no decision yet, and no attempt used
};

export class VeriffWebhookReader implements KycWebhookReader {
  readonly name = 'VERIFF' as const;
  constructor(private readonly s: { apiKey: string; sharedSecret: string }) {}

  verify(headers: Headers, rawBody: Buffer): void {
    if (header(headers, 'x-auth-client') !== this.s.apiKey) throw new WebhookSignatureError('unknown X-AUTH-CLIENT');
    assertSameDigest(hmacHex('sha256', this.s.sharedSecret, rawBody), header(headers, 'x-hmac-signature'));
  }

  read(payload: unknown, rawBody: Buffer) {
    const v = (payload as VeriffDecision).verification;
    if (!v?.id || !v.vendorData || v.code === undefined) return null;
    const outcome = Object.hasOwn(CODES, v.code) ? CODES[v.code] : undefined;
    if (!outcome) return null;
    return {
      userId: v.vendorData,
      result: {
        provider: this.name,
        providerId: v.id,
        outcome,
        occurredAt: Date.parse(v.decisionTime ?? v.acceptanceTime ?? '') || 0,
        eventId: bodyDigest(rawBody),
        reason: v.reason ?? (outcome === 'APPROVED' || outcome === 'REVIEW' ? null : (v.status ?? null)),
        verifiedDateOfBirth: calendarDate(v.person?.dateOfBirth),
      },
    };
  }
}
