import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';

/**
 * SES v2 where the region offers it; SMTP where it does not (AWS China
 * regions have no SES) and on the laptop, where MailDev catches the mail.
 * MAIL_TRANSPORT picks one; a missing or unknown value fails at cold start.
 */
export function mailerFromEnv(env: NodeJS.ProcessEnv = process.env): Mailer {
  const transport = requireEnv(envNames.mailTransport, env);
  const from = requireEnv(envNames.mailFrom, env);
  if (transport === 'ses') return new SesMailer(from);
  if (transport === 'smtp') {
    const port = Number(requireEnv(envNames.smtpPort, env));
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${envNames.smtpPort} 应为端口号 (must be a port number)`);
    return new SmtpMailer(from, requireEnv(envNames.smtpHost, env), port, env['SMTP_USER'], env['SMTP_PASSWORD']);
  }
  throw new Error(`${envNames.mailTransport} 应为 ses 或 smtp (must be ses or smtp), got ${transport}`);
}

export class SesMailer implements Mailer {
  private readonly client = new SESv2Client({});
  constructor(private readonly from: string) {}

  async send(message: MailMessage): Promise<{ messageId: string }> {
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [...message.to] },
        ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }
}

export class SmtpMailer implements Mailer {
  private readonly transport: nodemailer.Transporter;
  constructor(
    private readonly from: string,
    host: string,
    port: number,
    user?: string,
    password?: string,
  ) {
    // Port 465 is implicit TLS; elsewhere nodemailer upgrades with STARTTLS when the
    // server offers it and verifies the certificate (MailDev offers none locally).
    this.transport = nodemailer.createTransport({
      host,
      port,
      secure: port === 465,
      ...(user ? { auth: { user, pass: password ?? '' } } : {}),
      connectionTimeout: 10_000,
      socketTimeout: 20_000,
    });
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
