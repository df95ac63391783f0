import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpMailer } from '#adapters/mail-smtp.ts';

/** A local relay that keeps what it receives: the envelope and the raw message. */
async function relay(options: SMTPServerOptions = {}) {
  const received: Array<{ from: string; to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    ...options,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: (server.server.address() as AddressInfo).port, received };
}

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(resolve))));
});

/** The parts of a message that differ between two sends of the same content: ids, date, MIME boundary, the mailer's name. */
function comparable(raw: string): string {
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1];
  return (boundary ? raw.split(boundary).join('BOUNDARY') : raw)
    .replace(/^Message-ID: .*\r\n/m, '')
    .replace(/^Date: .*\r\n/m, '')
    .replace(/^X-Mailer: .*\r\n/m, '');
}

const message = {
  to: ['li.na@zrzy.gd.gov.cn', 'wang.wei@zrzy.gd.gov.cn'],
  subject: '成果汇交核验完成：第 2 版（国土调查）',
  text: '您好：\n汇交 3f2a… 第 2 版已核验通过。\n请登录系统查看报告。',
  html: '<p>您好：</p><p>汇交第 2 版已核验通过。</p>',
  replyTo: 'help@zrzy.gd.gov.cn',
};

describe('issue 10: SendMail delivers SMTP mail with nodemailer\'s MailComposer and SMTPConnection, the message its SMTP transport delivered', () => {
  it('delivers the same envelope and message as nodemailer.createTransport (but the ids, date, boundary and X-Mailer), and returns its Message-ID', async () => {
    // prepare
    const { port, received } = await relay();
    const ours = new SmtpMailer('noreply@zrzy.gd.gov.cn', '127.0.0.1', port);
    const theirs = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
    // act
    const sent = await ours.send(message);
    await theirs.sendMail({ from: 'noreply@zrzy.gd.gov.cn', ...message, textEncoding: 'base64' });
    // assess
    expect(received).toHaveLength(2);
    const [mine, reference] = received as [(typeof received)[0], (typeof received)[0]];
    expect({ from: mine.from, to: mine.to }).toEqual({ from: 'noreply@zrzy.gd.gov.cn', to: message.to });
    expect({ from: mine.from, to: mine.to }).toEqual({ from: reference.from, to: reference.to });
    expect(comparable(mine.raw)).toBe(comparable(reference.raw));
    expect(mine.raw).toContain(`Message-ID: ${sent.messageId}\r\n`);
    expect(mine.raw).toContain(`Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from(message.text, 'utf8').toString('base64').slice(0, 40)}`);
  });

  it('verifies the relay\'s certificate on STARTTLS: a relay with an untrusted (self-signed) certificate gets no mail and the send fails', async () => {
    // prepare: smtp-server offers STARTTLS with its built-in self-signed certificate
    const { port, received } = await relay({ disabledCommands: [] });
    const mailer = new SmtpMailer('noreply@zrzy.gd.gov.cn', '127.0.0.1', port);
    // act / assess
    await expect(mailer.send(message)).rejects.toThrow(/self[- ]signed|certificate/i);
    expect(received).toEqual([]);
  });

  it('a relay that refuses the recipients fails the send with its reply, and the next message goes through', async () => {
    // prepare
    let refuse = true;
    const { port, received } = await relay({
      onRcptTo(_address, _session, cb) {
        cb(refuse ? Object.assign(new Error('550 邮箱不存在'), { responseCode: 550 }) : undefined);
      },
    });
    const mailer = new SmtpMailer('noreply@zrzy.gd.gov.cn', '127.0.0.1', port);
    // act / assess
    await expect(mailer.send(message)).rejects.toThrow(/550|邮箱不存在|recipients/);
    refuse = false;
    await expect(mailer.send(message)).resolves.toMatchObject({ messageId: expect.stringMatching(/^<.+@.+>$/) });
    expect(received).toHaveLength(1);
  });
});
