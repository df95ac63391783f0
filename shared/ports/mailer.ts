/**
 * Outgoing email: SES v2 on AWS, SMTP where SES is not offered (AWS China
 * regions) and on the laptop (MailDev catches it). Chinese subjects and
 * bodies travel as UTF-8; every message has a text part, HTML is optional.
 */
export interface MailMessage {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly replyTo?: string;
}

export interface Mailer {
  /** Resolves with the transport's message id once the message is accepted. */
  send(message: MailMessage): Promise<{ messageId: string }>;
}
