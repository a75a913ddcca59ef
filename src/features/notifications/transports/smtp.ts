import nodemailer, { type Transporter } from 'nodemailer';
import { EmailSendError, type EmailMessage, type EmailTransport, type SendResult } from './types';

/**
 * SMTP through nodemailer. `url` is a nodemailer connection URL (`smtp://user:pass@host:587`,
 * `smtps://...:465`; query options such as `?pool=true` pass through).
 * SMTP reply classes (RFC 5321 4.2.1): 4yz is transient, 5yz permanent.
 */
export class SmtpTransport implements EmailTransport {
  readonly name = 'smtp';
  private readonly transporter: Transporter;

  constructor(url: string) {
    this.transporter = nodemailer.createTransport(url);
  }

  async send(message: EmailMessage): Promise<SendResult> {
    const domain = message.from.split('@')[1] ?? 'localhost';
    try {
      const info = await this.transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.idempotencyKey
          ? {
              messageId: `<${message.idempotencyKey}@${domain}>`,
              headers: { 'X-Idempotency-Key': message.idempotencyKey },
            }
          : {}),
      });
      return { messageId: info.messageId };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
      throw new EmailSendError(`smtp: ${e.message}`, code !== undefined && code >= 500 && code < 600, code);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
