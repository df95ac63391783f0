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

/**
 * What the one mail-sending function (SendMail) remembers of the messages it
 * sent, so that a hand-over delivered or retried twice sends once
 * (shared/platform/mail-relay.ts). Keyed by the message's content hash.
 */
export interface SentMailLog {
  /**
   * Takes the message for sending until `until` (ISO time); false when it is
   * already taken — being sent, or sent — and that claim has not run out.
   */
  claim(key: string, at: string, until: string): Promise<boolean>;
  /** The message went out: the claim now holds until `until` (the de-duplication window). */
  sent(key: string, messageId: string, until: string): Promise<void>;
  /** The transport refused it: the claim taken at `claimedAt` is given back, so a retry may send. */
  release(key: string, claimedAt: string): Promise<void>;
}
