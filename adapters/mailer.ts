import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import { SmtpMailer, type SmtpCredentialSource } from './mail-smtp.ts';

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
    const secret = env[envNames.smtpCredentialsSecret];
    return new SmtpMailer(from, requireEnv(envNames.smtpHost, env), port, secret ? secretsManagerCredentials(secret) : undefined);
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

export interface SmtpCredentials {
  readonly user: string;
  readonly pass: string;
}

export type { SmtpCredentialSource } from './mail-smtp.ts';

/** The part of the Secrets Manager client used here (a fake in the unit test). */
export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

/**
 * The relay credentials from Secrets Manager at run time (issue 11 §6: never
 * in a Lambda environment variable, where every reader of the function's
 * configuration would see them). The secret is JSON {"username","password"};
 * it is read once per cold start, and read again after a failed read.
 */
export function secretsManagerCredentials(secretId: string, client: SecretReader = new SecretsManagerClient({})): SmtpCredentialSource {
  let cached: Promise<SmtpCredentials> | undefined;
  const read = async (): Promise<SmtpCredentials> => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(out.SecretString ?? '');
    } catch {
      parsed = undefined;
    }
    const o = parsed as { username?: unknown; password?: unknown } | undefined;
    if (typeof o?.username !== 'string' || typeof o.password !== 'string' || o.username === '' || o.password === '') {
      throw new Error(`SMTP 凭据 ${secretId} 应为 JSON {"username","password"} (the SMTP credentials secret must be JSON with username and password)`);
    }
    return { user: o.username, pass: o.password };
  };
  return () => {
    cached ??= read().catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
}
