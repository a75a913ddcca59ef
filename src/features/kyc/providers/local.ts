import { randomUUID } from 'node:crypto';
import type { ProviderResult } from '../rules';
import { assertSameDigest, bodyDigest, calendarDate, header, hmacHex } from './http';
import type { Headers, KycProviderClient, KycWebhookReader } from './types';

/**
 * The default provider for a local setup: verification is created instantly, and results
 * arrive as webhooks in a small format of our own, signed like the real ones
 * (X-Local-Signature: hex HMAC-SHA256 of the raw body), or come from an admin decision.
 */
export class LocalKycClient implements KycProviderClient {
  readonly name = 'LOCAL' as const;
  async createVerification(): Promise<{ providerId: string }> {
    return { providerId: `local-${randomUUID()}` };
  }
}

interface LocalWebhook {
  userId?: string;
  providerId?: string;
  outcome?: ProviderResult['outcome'];
  occurredAt?: number;
  reason?: string;
  /** The birth date the (local) verification read from the document, YYYY-MM-DD. */
  dateOfBirth?: string;
}

export class LocalWebhookReader implements KycWebhookReader {
  readonly name = 'LOCAL' as const;
  constructor(private readonly secret: string) {}

  verify(headers: Headers, rawBody: Buffer): void {
    assertSameDigest(hmacHex('sha256', this.secret, rawBody), header(headers, 'x-local-signature'));
  }

  read(payload: unknown, rawBody: Buffer) {
    const p = payload as LocalWebhook;
    if (
      !p.userId ||
      !p.providerId ||
      !p.outcome ||
      !['APPROVED', 'REJECTED', 'RETRY', 'PENDING', 'REVIEW'].includes(p.outcome)
    ) {
      return null;
    }
    return {
      userId: p.userId,
      result: {
        provider: this.name,
        providerId: p.providerId,
        outcome: p.outcome,
        occurredAt: Number(p.occurredAt) || 0,
        eventId: bodyDigest(rawBody),
        reason: p.reason ?? null,
        verifiedDateOfBirth: calendarDate(p.dateOfBirth),
      },
    };
  }
}
