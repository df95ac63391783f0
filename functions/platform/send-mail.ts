import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { mailTransport, sentMailLog } from '#runtime/ports/mail.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { relayMail } from '#shared/platform/mail-relay.ts';
import { platform } from './context.ts';

const address = z.string().check(z.minLength(3), z.maxLength(320), z.includes('@'));

/** A message as adapters/mail-handover.ts hands it over (shared/ports/mailer.ts MailMessage). */
export const sendMailInputSchema = z.object({
  to: z.array(address).check(z.minLength(1), z.maxLength(500)),
  subject: z.string().check(z.minLength(1)),
  text: z.string(),
  html: z.optional(z.string()),
  replyTo: z.optional(address),
});

/**
 * The one mail-sending function (issue 10), invoked asynchronously by every
 * function that sends mail: parse → relayMail (claim by content hash, send,
 * keep the claim) → map. A transport failure fails the run (Lambda retries
 * it twice, then the event goes to the dead-letter queue).
 */
export const handler = sfnTask(platform, 'SendMail', sendMailInputSchema, [mailTransport, sentMailLog, now], async (input, p, task) => {
  const out = await relayMail(
    { to: input.to, subject: input.subject, text: input.text, ...(input.html !== undefined ? { html: input.html } : {}), ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}) },
    { transport: p.mailTransport, sentMail: p.sentMailLog, now: p.now },
  );
  task.log.info(out.sent ? 'mail sent' : 'mail already sent: duplicate hand-over skipped', { key: out.key, recipients: input.to.length });
  return out;
});
