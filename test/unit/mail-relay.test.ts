/**
 * Issue 10: one mail-sending function. Every other sender hands its message to SendMail
 * (adapters/mail-handover.ts); SendMail sends each message once (shared/platform/mail-relay.ts).
 * The fake log keeps the adapter's condition (attribute_not_exists(pk) OR until < at).
 */
import type { InvokeCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { HandoverMailer } from '#adapters/mail-handover.ts';
import { claimLeaseMs, dedupWindowMs, mailKey, relayMail } from '#shared/platform/mail-relay.ts';
import type { Mailer, MailMessage, SentMailLog } from '#shared/ports/mailer.ts';
import { MailDeliveryError } from '#shared/tasks/mail.ts';

class MemorySentMailLog implements SentMailLog {
  readonly items = new Map<string, { state: 'sending' | 'sent'; claimedAt: string; until: string; messageId?: string }>();
  async claim(key: string, at: string, until: string): Promise<boolean> {
    const held = this.items.get(key);
    if (held && !(held.until < at)) return false;
    this.items.set(key, { state: 'sending', claimedAt: at, until });
    return true;
  }
  async sent(key: string, messageId: string, until: string): Promise<void> {
    const held = this.items.get(key)!;
    this.items.set(key, { ...held, state: 'sent', messageId, until });
  }
  async release(key: string, claimedAt: string): Promise<void> {
    if (this.items.get(key)?.claimedAt === claimedAt && this.items.get(key)?.state === 'sending') this.items.delete(key);
  }
}

class CountingTransport implements Mailer {
  readonly sent: MailMessage[] = [];
  failNext = 0;
  async send(message: MailMessage): Promise<{ messageId: string }> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('421 relay busy');
    }
    this.sent.push(message);
    return { messageId: `<m${this.sent.length}@relay>` };
  }
}

const message: MailMessage = { to: ['chen.jing@example.gov.cn'], subject: '【待处理】成果核验', text: '陈静，您好：\n请处理。', html: '<p>陈静，您好：</p>' };

function setup(start = '2026-12-03T08:00:00.000Z') {
  let clock = new Date(start).getTime();
  const transport = new CountingTransport();
  const sentMail = new MemorySentMailLog();
  return { transport, sentMail, ports: { transport, sentMail, now: () => new Date(clock) }, advance: (ms: number) => (clock += ms) };
}

describe('issue 10: SendMail sends a handed-over message once (shared/platform/mail-relay.ts)', () => {
  it('sends a message, and a second hand-over of the same message within the window sends nothing', async () => {
    // prepare
    const { transport, sentMail, ports, advance } = setup();
    // act
    const first = await relayMail(message, ports);
    advance(5 * 60 * 1000);
    const again = await relayMail({ ...message, to: [...message.to] }, ports);
    // assess
    expect(first).toMatchObject({ sent: true, messageId: '<m1@relay>' });
    expect(again).toEqual({ key: first.key, sent: false, reason: 'duplicate' });
    expect(transport.sent).toHaveLength(1);
    expect(sentMail.items.get(first.key)?.state).toBe('sent');
  });

  it('a message that differs in any part (recipient, subject, text, html, reply-to) is another message', async () => {
    // prepare
    const { transport, ports } = setup();
    const variants: MailMessage[] = [
      message,
      { ...message, to: ['li.na@example.gov.cn'] },
      { ...message, subject: '【催办】成果核验' },
      { ...message, text: '另一段正文' },
      { ...message, html: '<p>另一段</p>' },
      { ...message, replyTo: 'zhou.hong@example.gov.cn' },
    ];
    // act
    for (const v of variants) await relayMail(v, ports);
    // assess
    expect(transport.sent).toHaveLength(variants.length);
    expect(new Set(variants.map(mailKey)).size).toBe(variants.length);
  });

  it('a transport failure gives the claim back and fails as MailDeliveryError, so the retry sends it', async () => {
    // prepare
    const { transport, sentMail, ports, advance } = setup();
    transport.failNext = 1;
    // act
    const failed = await relayMail(message, ports).catch((e: unknown) => e);
    const held = sentMail.items.get(mailKey(message));
    advance(60_000);
    const retried = await relayMail(message, ports);
    // assess
    expect(failed).toBeInstanceOf(MailDeliveryError);
    expect((failed as Error).message).toContain('421 relay busy');
    expect(held).toBeUndefined();
    expect(retried.sent).toBe(true);
    expect(transport.sent).toHaveLength(1);
  });

  it('the same words after the window go out again (a reminder the next day is a new mail)', async () => {
    // prepare
    const { transport, ports, advance } = setup();
    await relayMail(message, ports);
    // act
    advance(dedupWindowMs + 1);
    const later = await relayMail(message, ports);
    // assess
    expect(later.sent).toBe(true);
    expect(transport.sent).toHaveLength(2);
  });

  it('a claim left by a run that died mid-send holds for the lease, then the message may be sent', async () => {
    // prepare: a run claimed it and never finished (its container ended)
    const { transport, sentMail, ports, advance } = setup();
    await sentMail.claim(mailKey(message), new Date(ports.now()).toISOString(), new Date(ports.now().getTime() + claimLeaseMs).toISOString());
    // act
    const during = await relayMail(message, ports);
    advance(claimLeaseMs + 1);
    const after = await relayMail(message, ports);
    // assess
    expect(during.sent).toBe(false);
    expect(after.sent).toBe(true);
    expect(transport.sent).toHaveLength(1);
    expect(dedupWindowMs).toBeGreaterThan(claimLeaseMs);
  });
});

describe('issue 10: the mail port of every other function hands the message to SendMail (adapters/mail-handover.ts)', () => {
  function fakeLambda(status = 202) {
    const calls: InvokeCommand['input'][] = [];
    return {
      calls,
      send: async (command: InvokeCommand) => {
        calls.push(command.input);
        return { StatusCode: status, $metadata: { requestId: 'req-1' } };
      },
    };
  }

  it('invokes SendMail asynchronously with the message as the event, and answers the invoke\'s request id', async () => {
    // prepare
    const lambda = fakeLambda();
    const mailer = new HandoverMailer('chengguo-prod-SendMail', lambda);
    // act
    const out = await mailer.send({ ...message, replyTo: 'zhou.hong@example.gov.cn' });
    // assess
    expect(out).toEqual({ messageId: 'req-1' });
    expect(lambda.calls).toHaveLength(1);
    expect(lambda.calls[0]).toMatchObject({ FunctionName: 'chengguo-prod-SendMail', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(lambda.calls[0]!.Payload as Uint8Array))).toEqual({ ...message, replyTo: 'zhou.hong@example.gov.cn' });
  });

  it('a hand-over Lambda did not accept is an error (the caller\'s MailDeliveryError retry applies)', async () => {
    // prepare
    const mailer = new HandoverMailer('SendMail', fakeLambda(200));
    // act
    const error = await mailer.send(message).catch((e: unknown) => e);
    // assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('未接收邮件');
  });
});
