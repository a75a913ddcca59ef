import type { ProviderResult } from '../rules';
import { assertSameDigest, bodyDigest, header, hmacHex, providerRequest, splitName } from './http';
import type { Applicant, Headers, KycProviderClient, KycWebhookReader } from './types';

// Onfido (Entrust): webhooks carry X-SHA2-Signature, a hex HMAC-SHA256 of the raw body with the
// webhook token; envelope { payload: { resource_type, action, object: { id, status, ... } } }.
// API auth: `Authorization: Token token=<api token>`.
// https://documentation.onfido.com/api/latest/#webhooks
export interface OnfidoSettings {
  baseUrl: string;
  apiToken: string;
  workflowId: string;
}

export class OnfidoClient implements KycProviderClient {
  readonly name = 'ONFIDO' as const;
  constructor(private readonly s: OnfidoSettings) {}

  /** An applicant, then a workflow run for it; the run's id is what the webhooks report. */
  async createVerification(applicant: Applicant): Promise<{ providerId: string }> {
    const headers = { 'content-type': 'application/json', Authorization: `Token token=${this.s.apiToken}` };
    const { first, last } = splitName(applicant.fullName);
    const created = await providerRequest<{ id: string }>(
      `${this.s.baseUrl}/v3.6/applicants`,
      { method: 'POST', headers, body: JSON.stringify({ first_name: first, last_name: last, email: applicant.email }) },
      'Onfido',
    );
    const run = await providerRequest<{ id: string }>(
      `${this.s.baseUrl}/v3.6/workflow_runs`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({
          workflow_id: this.s.workflowId,
          applicant_id: created.id,
          customer_user_id: applicant.userId,
        }),
      },
      'Onfido',
    );
    return { providerId: run.id };
  }
}

interface OnfidoWebhook {
  payload?: {
    resource_type?: string;
    action?: string;
    object?: { id?: string; status?: string; completed_at_iso8601?: string; started_at_iso8601?: string };
  };
}

const STATUS: Record<string, ProviderResult['outcome']> = {
  approved: 'APPROVED',
  declined: 'REJECTED',
  abandoned: 'RETRY',
  review: 'PENDING',
  processing: 'PENDING',
  awaiting_input: 'PENDING',
};

export class OnfidoWebhookReader implements KycWebhookReader {
  readonly name = 'ONFIDO' as const;
  constructor(private readonly webhookToken: string) {}

  verify(headers: Headers, rawBody: Buffer): void {
    assertSameDigest(hmacHex('sha256', this.webhookToken, rawBody), header(headers, 'x-sha2-signature'));
  }

  read(payload: unknown, rawBody: Buffer) {
    const p = (payload as OnfidoWebhook).payload;
    const obj = p?.object;
    if (p?.resource_type !== 'workflow_run' || !obj?.id || !obj.status) return null;
    const outcome = STATUS[obj.status];
    if (!outcome) return null;
    return {
      userId: null, // Onfido reports its own run id; the case is found by it.
      result: {
        provider: this.name,
        providerId: obj.id,
        outcome,
        occurredAt: Date.parse(obj.completed_at_iso8601 ?? obj.started_at_iso8601 ?? '') || 0,
        eventId: bodyDigest(rawBody),
        reason: outcome === 'REJECTED' ? 'declined by provider' : null,
      },
    };
  }
}
