import { appendFile } from 'node:fs/promises';
import type { Logger } from '../../../kernel/logger';
import type { EmailMessage, EmailTransport, SendResult } from './types';

/**
 * The local default: logs each email (recipient and subject) and, when `file` is set, appends
 * the whole message as one JSON line, so a developer can read what would have been sent.
 */
export class ConsoleTransport implements EmailTransport {
  readonly name = 'console';

  constructor(private readonly opts: { logger: Logger; file?: string }) {}

  async send(message: EmailMessage): Promise<SendResult> {
    if (this.opts.file) {
      await appendFile(this.opts.file, `${JSON.stringify({ at: new Date().toISOString(), ...message })}\n`);
    }
    this.opts.logger.info(
      { to: message.to, subject: message.subject, key: message.idempotencyKey },
      'email (console transport)',
    );
    return { messageId: message.idempotencyKey };
  }
}
