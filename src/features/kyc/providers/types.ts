import type { KycProviderName, ProviderResult } from '../rules';

export interface Applicant {
  userId: string;
  email: string;
  fullName: string;
  country: string;
}

/** Creates the verification at the provider (applicant/session); returns the provider's id. */
export interface KycProviderClient {
  readonly name: KycProviderName;
  createVerification(applicant: Applicant): Promise<{ providerId: string }>;
}

export type Headers = Record<string, string | string[] | undefined>;

/** Verifies and reads one provider's webhook. Pure: no I/O. */
export interface KycWebhookReader {
  readonly name: KycProviderName;
  /** Throws WebhookSignatureError when the raw body is not signed with the shared secret. */
  verify(headers: Headers, rawBody: Buffer): void;
  /**
   * The normalised result and our user id when the payload carries it (Sumsub externalUserId,
   * Veriff vendorData); null when it must be looked up by provider id (Onfido).
   */
  read(payload: unknown, rawBody: Buffer): { result: ProviderResult; userId: string | null } | null;
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** Permanent provider API failure (4xx other than 429): retrying cannot help. */
export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}
