import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import { SmtpMailer } from './mail-smtp.ts';

/**
 * SES v2 where the region offers it; SMTP where it does not (AWS China
 * regions have no SES) and on the laptop, where MailDev catches the mail.
 * MAIL_TRANSPORT picks one; a missing or unknown value fails at cold start.
 */
export function mailerFromEnv(env: NodeJS.ProcessEnv = process.env): Mailer {
  const transport = requireEnv(envNames.mailTransport, env);
  const from = requireEnv(envNames.mailFrom, env);
  // The one transport a Lambda bundle carries: the CDK build defines this variable as
  // the stage's transport (infra/constructs/bundling.ts), so an SES bundle leaves
  // nodemailer out and an SMTP bundle the SES branch. Unbundled (tests, the local
  // cloud) it is unset and both are here. Written out in each test, not held in a
  // variable: esbuild folds only the literal expression.
  const bundled = process.env['CHENGGUO_BUNDLED_MAIL_TRANSPORT'];
  if (bundled !== undefined && transport !== bundled) {
    throw new Error(`${envNames.mailTransport}=${transport}，但本函数包只含 ${bundled} (this bundle was built for ${bundled} only)`);
  }
  if (process.env['CHENGGUO_BUNDLED_MAIL_TRANSPORT'] !== 'smtp' && transport === 'ses') return new SesMailer(from);
  if (process.env['CHENGGUO_BUNDLED_MAIL_TRANSPORT'] !== 'ses' && transport === 'smtp') {
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
