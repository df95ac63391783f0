/**
 * Issue 10: every function that sends mail hands the message to SendMail (an asynchronous Lambda invoke,
 * here through the local cloud's Lambda endpoint), the one function that carries nodemailer; MailDev
 * receives it. A hand-over delivered twice sends one mail; a message SendMail cannot take is retried,
 * then kept as a dead letter (the DLQ on AWS, logs/dead-letters.jsonl here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { mailKey } from '#shared/platform/mail-relay.ts';
import { cloud, eventually, getItem, listEmails, waitForEmail } from './helpers.ts';

const lambda = new LambdaClient({ endpoint: cloud.urls.lambda, region: cloud.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

afterAll(() => lambda.destroy());

async function handOver(event: unknown, type: 'Event' | 'RequestResponse' = 'Event') {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'SendMail', InvocationType: type, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  return { status: out.StatusCode, error: out.FunctionError, body: out.Payload && out.Payload.length > 0 ? (JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>) : undefined };
}

describe('issue 10: mail is handed to the one mail-sending function (SendMail) and reaches MailDev once', () => {
  it('a message handed over three times (a duplicated event, a retried step) is delivered once; another message is delivered too', async () => {
    // prepare
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const to = `handover-${tag}@example.gov.cn`;
    const message = { to: [to], subject: `【测试】移交发送 ${tag}`, text: '陈静，您好：\n这是一封经 SendMail 发送的测试邮件。', html: '<p>陈静，您好：</p>' };
    // act
    const accepted = await Promise.all([handOver(message), handOver(message), handOver(message)]);
    const other = await handOver({ ...message, text: `${message.text}\n（第二封）` });
    await waitForEmail({ to, subject: tag });
    const claim = await eventually(async () => {
      const item = await getItem({ pk: `MAIL#${mailKey(message)}`, sk: 'SENT' }, undefined, cloud.tables.logs);
      return item?.['state'] === 'sent' ? item : undefined;
    }, 'the claim to be marked sent');
    // a fourth copy, after the first was sent, answered synchronously: nothing to send
    const late = await handOver(message, 'RequestResponse');
    await new Promise((r) => setTimeout(r, 1500));
    const mails = (await listEmails()).filter((e) => e.to.some((t) => t.address === to));
    // assess
    expect(accepted.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(other.status).toBe(202);
    expect(late.body).toMatchObject({ sent: false, reason: 'duplicate' });
    expect(claim['messageId']).toEqual(expect.any(String));
    expect(mails).toHaveLength(2);
    expect(mails.filter((m) => m.text?.includes('（第二封）'))).toHaveLength(1);
    expect(mails[0]!.subject).toBe(message.subject);
  });

  it('a message SendMail refuses is retried and then kept as a dead letter, and nothing is sent', async () => {
    // prepare
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const bad = { to: [], subject: `【测试】无收件人 ${tag}`, text: '无收件人' };
    const deadLetters = join(cloud.dataDir, 'logs', 'dead-letters.jsonl');
    // act
    const sync = await handOver(bad, 'RequestResponse');
    const accepted = await handOver(bad);
    const letter = await eventually(
      async () => (existsSync(deadLetters) ? readFileSync(deadLetters, 'utf8').split('\n').filter((l) => l.includes(tag)).map((l) => JSON.parse(l) as Record<string, unknown>)[0] : undefined),
      'the dead letter',
      15_000,
    );
    // assess
    expect(sync.error).toBe('Unhandled');
    expect(sync.body).toMatchObject({ errorType: 'ValidationError' });
    expect(String(sync.body?.['errorMessage'])).toContain('to');
    expect(accepted.status).toBe(202);
    expect(letter).toMatchObject({ function: 'SendMail', errorType: 'ValidationError', event: bad });
    expect((await listEmails()).filter((e) => e.subject.includes(tag))).toEqual([]);
  });
});
