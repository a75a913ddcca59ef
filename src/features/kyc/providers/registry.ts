import type { Config } from '../../../kernel/config';
import type { KycProviderName } from '../rules';
import { LocalKycClient, LocalWebhookReader } from './local';
import { OnfidoClient, OnfidoWebhookReader } from './onfido';
import { SumsubClient, SumsubWebhookReader } from './sumsub';
import type { KycProviderClient, KycWebhookReader } from './types';
import { VeriffClient, VeriffWebhookReader } from './veriff';

export interface KycProviders {
  defaultProvider: KycProviderName;
  clients: Partial<Record<KycProviderName, KycProviderClient>>;
  webhooks: Partial<Record<KycProviderName, KycWebhookReader>>;
}

/** The providers whose credentials are configured. LOCAL is offered everywhere but production. */
export function kycProvidersFromConfig(c: Config): KycProviders {
  const forDefault = (name: KycProviderName, own: string | undefined, seedName?: string) =>
    own ?? (c.KYC_PROVIDER === name ? seedName : undefined);
  const out: KycProviders = { defaultProvider: c.KYC_PROVIDER, clients: {}, webhooks: {} };

  if (c.NODE_ENV !== 'production' || c.KYC_PROVIDER === 'LOCAL') {
    out.clients.LOCAL = new LocalKycClient();
    out.webhooks.LOCAL = new LocalWebhookReader(c.KYC_LOCAL_WEBHOOK_SECRET);
  }

  const sumsubToken = forDefault('SUMSUB', c.SUMSUB_APP_TOKEN, c.KYC_APP_TOKEN);
  const sumsubSecret = forDefault('SUMSUB', c.SUMSUB_SECRET_KEY, c.KYC_API_KEY);
  if (sumsubToken && sumsubSecret && c.SUMSUB_WEBHOOK_SECRET) {
    out.clients.SUMSUB = new SumsubClient({
      baseUrl: c.SUMSUB_BASE_URL,
      appToken: sumsubToken,
      secretKey: sumsubSecret,
      levelName: c.SUMSUB_LEVEL_NAME,
    });
    out.webhooks.SUMSUB = new SumsubWebhookReader(c.SUMSUB_WEBHOOK_SECRET);
  }

  const onfidoToken = forDefault('ONFIDO', c.ONFIDO_API_TOKEN, c.KYC_API_KEY);
  if (onfidoToken && c.ONFIDO_WORKFLOW_ID && c.ONFIDO_WEBHOOK_TOKEN) {
    out.clients.ONFIDO = new OnfidoClient({
      baseUrl: c.ONFIDO_BASE_URL,
      apiToken: onfidoToken,
      workflowId: c.ONFIDO_WORKFLOW_ID,
    });
    out.webhooks.ONFIDO = new OnfidoWebhookReader(c.ONFIDO_WEBHOOK_TOKEN);
  }

  const veriffKey = forDefault('VERIFF', c.VERIFF_API_KEY, c.KYC_API_KEY);
  if (veriffKey && c.VERIFF_SHARED_SECRET) {
    out.clients.VERIFF = new VeriffClient({
      baseUrl: c.VERIFF_BASE_URL,
      apiKey: veriffKey,
      sharedSecret: c.VERIFF_SHARED_SECRET,
    });
    out.webhooks.VERIFF = new VeriffWebhookReader({ apiKey: veriffKey, sharedSecret: c.VERIFF_SHARED_SECRET });
  }
  return out;
}
