import {
  EmailSendError,
  isRetryableHttpStatus,
  type EmailMessage,
  type EmailTransport,
  type SendResult,
} from './types';

/**
 * SendGrid's v3 Mail Send API: `POST {baseUrl}/v3/mail/send` with `Authorization: Bearer <key>`
 * and a JSON body of personalizations, from, subject and content (text/plain first, then
 * text/html). Success is `202 Accepted` with the id in `X-Message-Id`.
 * https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send
 * 429 and 5xx are retried by the queue; any other 4xx (bad key, bad payload) is permanent.
 */
export class SendGridTransport implements EmailTransport {
  readonly name = 'sendgrid';

  constructor(private readonly opts: { apiKey: string; baseUrl: string; timeoutMs?: number }) {}

  async send(message: EmailMessage): Promise<SendResult> {
    const body = {
      personalizations: [{ to: [{ email: message.to }] }],
      from: { email: message.from },
      subject: message.subject,
      content: [
        { type: 'text/plain', value: message.text },
        { type: 'text/html', value: message.html },
      ],
      ...(message.idempotencyKey ? { custom_args: { idempotency_key: message.idempotencyKey } } : {}),
    };
    let res: Response;
    try {
      res = await fetch(new URL('/v3/mail/send', this.opts.baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new EmailSendError(`sendgrid: ${(err as Error).message}`, false);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.arrayBuffer().catch(() => undefined);
      return { messageId: res.headers.get('x-message-id') ?? undefined };
    }
    // The error body is JSON ({ errors: [{ message, field }] }); keep a short excerpt for the job log.
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    throw new EmailSendError(`sendgrid: HTTP ${res.status} ${detail}`, !isRetryableHttpStatus(res.status), res.status);
  }
}
