import type { Config } from '../../../kernel/config';
import type { Logger } from '../../../kernel/logger';
import { ConsoleTransport } from './console';
import { SendGridTransport } from './sendgrid';
import { SmtpTransport } from './smtp';
import type { EmailTransport } from './types';

export * from './types';
export { renderEmail, escapeHtml } from '../templates';

/** The transport named by EMAIL_PROVIDER (config validation guarantees its settings exist). */
export function emailTransportFromConfig(config: Config, logger: Logger): EmailTransport {
  switch (config.EMAIL_PROVIDER) {
    case 'SMTP':
      return new SmtpTransport(config.SMTP_URL!);
    case 'SENDGRID':
      return new SendGridTransport({ apiKey: config.SENDGRID_API_KEY!, baseUrl: config.SENDGRID_BASE_URL });
    default:
      return new ConsoleTransport({ logger, file: config.EMAIL_OUTBOX_FILE });
  }
}
