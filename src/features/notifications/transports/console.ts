import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from '../../../kernel/logger';
import type { EmailMessage, EmailTransport, SendResult } from './types';

/**
 * The local default: logs each email (recipient and subject; at debug level when `file` is set)
 * and, when `file` is set, appends the whole message as one JSON line, so a developer can read
 * what would have been sent. The
 * file is opened once, in append mode, and kept open until close(): opening and closing it for
 * every email (fs.promises.appendFile) was most of the email processor's CPU time.
 */
export class ConsoleTransport implements EmailTransport {
  readonly name = 'console';
  private outbox?: WriteStream;

  constructor(private readonly opts: { logger: Logger; file?: string }) {}

  async send(message: EmailMessage): Promise<SendResult> {
    if (this.opts.file) {
      this.outbox ??= createWriteStream(this.opts.file, { flags: 'a' });
      const line = `${JSON.stringify({ at: new Date().toISOString(), ...message })}\n`;
      // Resolves once the line is written to the file, so a sent email is readable there.
      await new Promise<void>((resolve, reject) => this.outbox!.write(line, (err) => (err ? reject(err) : resolve())));
    }
    // With the file, the file is the record and the log line is debug: a synchronous log write per
    // email was, after the file's open/close, the largest cost of the email processor.
    const log = this.opts.file ? this.opts.logger.debug : this.opts.logger.info;
    log.call(
      this.opts.logger,
      { to: message.to, subject: message.subject, key: message.idempotencyKey },
      'email (console transport)',
    );
    return { messageId: message.idempotencyKey };
  }

  async close(): Promise<void> {
    const outbox = this.outbox;
    this.outbox = undefined;
    if (outbox) await new Promise<void>((resolve) => outbox.end(resolve));
  }
}
