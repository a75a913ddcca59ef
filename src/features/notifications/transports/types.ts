/** One rendered email, ready for a transport. */
export interface EmailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  /**
   * Stable identity of the business event (the BullMQ job id). Sent as the Message-ID / a custom
   * header so a receiving system could drop a redelivery; our own exactly-once guarantee comes from
   * the deterministic job id.
   */
  idempotencyKey?: string;
}

export interface SendResult {
  /** The provider's message id, when it returns one. */
  messageId?: string;
}

/** An outgoing mail system (SMTP relay, SendGrid, the local console/file outbox). */
export interface EmailTransport {
  readonly name: string;
  send(message: EmailMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

/**
 * A send that failed. `permanent` means retrying cannot help (a 4xx from an HTTP API other than
 * 408/429, an SMTP 5xx reply such as "mailbox does not exist"); the worker turns it into BullMQ's
 * UnrecoverableError so the job fails at once instead of using up its attempts.
 */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}

/** HTTP statuses worth retrying: timeouts, rate limits and server errors. */
export const isRetryableHttpStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;
