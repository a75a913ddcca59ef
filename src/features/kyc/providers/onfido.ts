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

/**
 * Every workflow run status of Onfido's API (WorkflowRunStatus): approved and declined are
 * decisions; abandoned and error end the run without one (the user may start again); review waits
 * for a person (a decision follows); the rest are not final.
 */
const STATUS: Record<string, { outcome: ProviderResult['outcome']; reason: string | null }> = {
  approved: { outcome: 'APPROVED', reason: null },
  declined: { outcome: 'REJECTED', reason: 'declined by provider' },
  abandoned: { outcome: 'RETRY', reason: 'workflow run abandoned' },
  error: { outcome: 'RETRY', reason: 'workflow run ended in error' },
  review: { outcome: 'REVIEW', reason: null },
  processing: { outcome: 'PENDING', reason: null },
  awaiting_input: { outcome: 'PENDING', reason: null },
  awaiting_client_input: { outcome: 'PENDING', reason: null },
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
    const status = Object.hasOwn(STATUS, obj.status) ? STATUS[obj.status] : undefined;
    if (!status) return null;
    return {
      userId: null, // Onfido reports its own run id; the case is found by it.
      result: {
        provider: this.name,
        providerId: obj.id,
        outcome: status.outcome,
        occurredAt: Date.parse(obj.completed_at_iso8601 ?? obj.started_at_iso8601 ?? '') || 0,
        eventId: bodyDigest(rawBody),
        reason: status.reason,
      },
    };
  }
}
