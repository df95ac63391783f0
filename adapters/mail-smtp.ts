import Mail from 'nodemailer/lib/mailer/index.js';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';

/** The relay's user and password, read when the first message is sent (adapters/mailer.ts: Secrets Manager). */
export type SmtpCredentialSource = () => Promise<{ readonly user: string; readonly pass: string }>;

/**
 * SMTP through nodemailer (AWS China regions, which have no SES, and MailDev
 * on the laptop). Built from nodemailer's mailer and SMTP transport alone —
 * what `nodemailer.createTransport({ host, … })` builds — so a bundle does not
 * carry its SES, sendmail, pool, stream and JSON transports too.
 */
export class SmtpMailer implements Mailer {
  private transport: Promise<Mail<SMTPTransport.SentMessageInfo>> | undefined;
  constructor(
    private readonly from: string,
    private readonly host: string,
    private readonly port: number,
    /** None on the laptop: MailDev takes mail without authentication. */
    private readonly credentials?: SmtpCredentialSource,
  ) {}

  private async connect(): Promise<Mail<SMTPTransport.SentMessageInfo>> {
    const auth = this.credentials ? await this.credentials() : undefined;
    // Port 465 is implicit TLS; elsewhere nodemailer upgrades with STARTTLS when the
    // server offers it and verifies the certificate (MailDev offers none locally).
    const options: SMTPTransport.Options = {
      host: this.host,
      port: this.port,
      secure: this.port === 465,
      ...(auth ? { auth: { user: auth.user, pass: auth.pass } } : {}),
      connectionTimeout: 10_000,
      socketTimeout: 20_000,
    };
    return new Mail(new SMTPTransport(options), options);
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.transport ??= this.connect().catch((e: unknown) => {
      this.transport = undefined;
      throw e;
    });
    const transport = await this.transport;
    const info = await transport.sendMail({
      from: this.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      textEncoding: 'base64',
    });
    return { messageId: info.messageId };
  }
}
