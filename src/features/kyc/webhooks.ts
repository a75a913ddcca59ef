import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../kernel/errors';
import { KYC_PROVIDERS, type KycProviderName } from './rules';
import type { KycProviders } from './providers/registry';
import { WebhookSignatureError, type Headers } from './providers/types';
import type { KycCases } from './cases';
import { findKycByProviderId } from './repository';

export type WebhookOutcome = 'signalled' | 'duplicate' | 'ignored' | 'unknown-applicant' | 'no-active-case';

/**
 * A provider delivery: verify the signature over the raw body, read it, drop a redelivery, and
 * signal the user's KYC workflow. No provider call happens here, so it answers quickly.
 */
export async function handleKycWebhook(
  deps: {
    em: EntityManager;
    providers: KycProviders;
    cases: KycCases;
    onSignatureFailure?: (provider: string) => void;
  },
  providerParam: string,
  headers: Headers,
  rawBody: Buffer,
  payload: unknown,
): Promise<WebhookOutcome> {
  const name = providerParam.toUpperCase() as KycProviderName;
  const reader = KYC_PROVIDERS.includes(name) ? deps.providers.webhooks[name] : undefined;
  if (!reader) throw new AppError('NOT_FOUND', `unknown KYC provider ${providerParam}`);
  try {
    reader.verify(headers, rawBody);
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      deps.onSignatureFailure?.(name.toLowerCase());
      throw new AppError('UNAUTHENTICATED', `invalid webhook signature: ${err.message}`);
    }
    throw err;
  }
  // Signed is not well formed: a provider (or a replayed test request) may sign `null` or `[]`.
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new AppError('VALIDATION_FAILED', 'webhook body must be a JSON object');
  }
  const read = reader.read(payload, rawBody);
  if (!read) return 'ignored';
  const { result } = read;

  const seen = await deps.em.execute(`select 1 from webhook_events where provider = ? and event_id = ?`, [
    name,
    result.eventId,
  ]);
  if (seen.length > 0) return 'duplicate';

  const userId = read.userId ?? (await findKycByProviderId(deps.em, name, result.providerId))?.userId ?? null;
  let outcome: WebhookOutcome = 'unknown-applicant';
  if (userId && /^[0-9a-f-]{36}$/i.test(userId)) {
    // Signal first, record after: a failure in between makes the provider retry, and the
    // workflow drops the twin by event id, so nothing is lost and nothing applies twice.
    outcome = (await deps.cases.providerResult(userId, result)) ? 'signalled' : 'no-active-case';
  }
  await deps.em.execute(
    `insert into webhook_events (provider, event_id, user_id, provider_id, outcome) values (?, ?, ?, ?, ?)
     on conflict (provider, event_id) do nothing`,
    [name, result.eventId, outcome === 'unknown-applicant' ? null : userId, result.providerId, outcome],
  );
  return outcome;
}
