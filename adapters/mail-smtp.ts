import Mail from 'nodemailer/lib/mailer/index.js';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';

/**
 * SMTP through nodemailer (AWS China regions, which have no SES, and MailDev
 * on the laptop). Built from nodemailer's mailer and SMTP transport alone —
 * what `nodemailer.createTransport({ host, … })` builds — so a bundle does not
 * carry its SES, sendmail, pool, stream and JSON transports too.
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Mail<SMTPTransport.SentMessageInfo>;
  constructor(
    private readonly from: string,
    host: string,
    port: number,
    user?: string,
    password?: string,
  ) {
    // Port 465 is implicit TLS; elsewhere nodemailer upgrades with STARTTLS when the
    // server offers it and verifies the certificate (MailDev offers none locally).
    const options: SMTPTransport.Options = {
      host,
      port,
      secure: port === 465,
      ...(user ? { auth: { user, pass: password ?? '' } } : {}),
      connectionTimeout: 10_000,
      socketTimeout: 20_000,
    };
    this.transport = new Mail(new SMTPTransport(options), options);
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    const info = await this.transport.sendMail({
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
