import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';

/** The relay's user and password, read when the first message is sent (adapters/mailer.ts: Secrets Manager). */
export type SmtpCredentialSource = () => Promise<{ readonly user: string; readonly pass: string }>;

/**
 * SMTP through nodemailer (AWS China regions, which have no SES, and MailDev
 * on the laptop), from its two documented building blocks: MailComposer builds
 * the MIME message and SMTPConnection delivers it — what nodemailer's SMTP
 * transport does for one message (connect, STARTTLS when the relay offers it,
 * with the certificate verified; log in; send; close). Not its `Mail` and
 * `SMTPTransport` wrappers, which also require DKIM signing, OAuth2, the
 * well-known services table and the proxy client (issue 10: ≈ 35 KB of the
 * SendMail bundle, none of it used by a plain relay). One connection per
 * message, as the transport without a pool.
 */
export class SmtpMailer implements Mailer {
  private auth: Promise<{ readonly user: string; readonly pass: string } | undefined> | undefined;
  constructor(
    private readonly from: string,
    private readonly host: string,
    private readonly port: number,
    /** None on the laptop: MailDev takes mail without authentication. */
    private readonly credentials?: SmtpCredentialSource,
  ) {}

  async send(message: MailMessage): Promise<{ messageId: string }> {
    // Read once; a failed read is tried again on the next message (a secret set after the first deploy).
    this.auth ??= (this.credentials ? this.credentials() : Promise.resolve(undefined)).catch((e: unknown) => {
      this.auth = undefined;
      throw e;
    });
    const auth = await this.auth;
    const mime = new MailComposer({
      from: this.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      textEncoding: 'base64',
    }).compile();
    const messageId = mime.messageId();
    // Port 465 is implicit TLS; elsewhere the connection upgrades with STARTTLS when the
    // server offers it and verifies the certificate (MailDev offers none locally).
    const connection = new SMTPConnection({ host: this.host, port: this.port, secure: this.port === 465, connectionTimeout: 10_000, socketTimeout: 20_000 });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let closed: NodeJS.Timeout | undefined;
      const done = (err?: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(closed);
        connection.close();
        if (err) reject(err);
        else resolve();
      };
      connection.once('error', (err) => done(err));
      // As the transport: the socket may end just before the last reply is handled; a second later it is an error.
      connection.once('end', () => {
        closed = setTimeout(() => done(new Error('SMTP 连接意外关闭 (unexpected socket close)')), 1000);
      });
      const deliver = () => connection.send(mime.getEnvelope(), mime.createReadStream(), (err) => done(err));
      connection.connect(() => {
        if (settled) return;
        // nodemailer's rule: log in when the relay offers AUTH (MailDev offers none).
        if (auth && (connection as SMTPConnection & { readonly allowsAuth: boolean }).allowsAuth) connection.login({ user: auth.user, pass: auth.pass }, (err) => (err ? done(err) : deliver()));
        else deliver();
      });
    });
    return { messageId };
  }
}
