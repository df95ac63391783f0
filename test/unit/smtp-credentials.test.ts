import type { AddressInfo } from 'node:net';
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerAuthenticationResponse, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailerFromEnv, secretsManagerCredentials, type SecretReader } from '#adapters/mailer.ts';
import { SmtpMailer } from '#adapters/mail-smtp.ts';

/** A fake Secrets Manager: answers one secret id, counts the reads. */
function fakeSecrets(secrets: Record<string, string>): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    send: async (command: GetSecretValueCommand) => {
      const id = command.input.SecretId ?? '';
      reads.push(id);
      if (!(id in secrets)) throw new Error(`ResourceNotFoundException: ${id}`);
      return { SecretString: secrets[id] };
    },
  };
}


describe('issue 11 §6: the SMTP relay password is read from Secrets Manager at run time, not from the environment', () => {
  const arn = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:chengguo-prod/smtp-AbCdEf';
  const logins: Array<{ user: string; pass: string }> = [];
  const delivered: string[] = [];
  let server: SMTPServer;
  let port = 0;
  beforeAll(async () => {
    server = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      // The laptop's MailDev takes unauthenticated mail; a client that logs in must still pass onAuth.
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, cb: (e: Error | null | undefined, r?: SMTPServerAuthenticationResponse) => void) {
        logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        if (auth.username === 'noreply' && auth.password === 's3cret-from-vault') cb(null, { user: auth.username });
        else cb(new Error('535 Authentication failed'));
      },
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          delivered.push(typeof session.user === 'string' ? session.user : '(anonymous)');
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(resolve));
  });

  it('authenticates with the secret\'s username and password, reading the secret once for several messages', async () => {
    const secrets = fakeSecrets({ [arn]: JSON.stringify({ username: 'noreply', password: 's3cret-from-vault' }) });
    const mailer = new SmtpMailer('noreply@zrzy.gd.gov.cn', '127.0.0.1', port, secretsManagerCredentials(arn, secrets));

    await mailer.send({ to: ['li.na@zrzy.gd.gov.cn'], subject: '测试', text: '正文' });
    await mailer.send({ to: ['li.na@zrzy.gd.gov.cn'], subject: '测试 2', text: '正文' });

    expect(secrets.reads).toEqual([arn]);
    expect(logins.at(-1)).toEqual({ user: 'noreply', pass: 's3cret-from-vault' });
    expect(delivered.slice(-2)).toEqual(['noreply', 'noreply']);
  });

  it('a wrong password in the secret is refused by the relay, and a malformed secret fails naming it (Chinese first)', async () => {
    const wrong = new SmtpMailer('noreply@zrzy.gd.gov.cn', '127.0.0.1', port, secretsManagerCredentials(arn, fakeSecrets({ [arn]: JSON.stringify({ username: 'noreply', password: 'old' }) })));
    await expect(wrong.send({ to: ['a@zrzy.gd.gov.cn'], subject: 's', text: 't' })).rejects.toThrow(/535|Authentication/i);

    const malformed = secretsManagerCredentials(arn, fakeSecrets({ [arn]: '{"username":"noreply"}' }));
    await expect(malformed()).rejects.toThrow(/^SMTP 凭据 .*chengguo-prod\/smtp.*username and password/);
  });

  it('reads the secret again after a failed read (a secret set after the first deploy is picked up without a cold start)', async () => {
    const secrets: Record<string, string> = {};
    const reader = fakeSecrets(secrets);
    const source = secretsManagerCredentials(arn, reader);
    await expect(source()).rejects.toThrow(/ResourceNotFound/);

    secrets[arn] = JSON.stringify({ username: 'noreply', password: 's3cret-from-vault' });
    await expect(source()).resolves.toEqual({ user: 'noreply', pass: 's3cret-from-vault' });
    expect(reader.reads).toEqual([arn, arn]);
  });

  it('mailerFromEnv ignores SMTP_USER/SMTP_PASSWORD variables: without a secret ARN it sends unauthenticated (MailDev on the laptop)', async () => {
    const mailer = mailerFromEnv({ MAIL_TRANSPORT: 'smtp', MAIL_FROM: 'noreply@zrzy.gd.gov.cn', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USER: 'noreply', SMTP_PASSWORD: 's3cret-from-vault' });
    const before = logins.length;

    await mailer.send({ to: ['a@zrzy.gd.gov.cn'], subject: 's', text: 't' });

    expect(logins.length).toBe(before);
    expect(delivered.at(-1)).toBe('(anonymous)');
  });
});
