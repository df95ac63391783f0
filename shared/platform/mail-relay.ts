/**
 * The one mail-sending function (issue 10): every function that sends mail
 * hands the message to SendMail (adapters/mail-handover.ts, an asynchronous
 * Lambda invoke), so the mail transport — nodemailer's SMTP transport on
 * aws-cn and locally, SES on aws — is bundled into that function alone.
 *
 * A hand-over may arrive twice: Lambda delivers an asynchronous event at
 * least once and retries a failed run twice, and a workflow step that handed
 * a message over may itself be retried. So SendMail claims the message by
 * its content hash before sending, conditionally: a second copy within the
 * window finds the claim and sends nothing. A transport failure gives the
 * claim back and fails the run, so Lambda's retry sends it; after the
 * retries the event goes to the dead-letter queue, whose alarm tells the
 * operators (infra/constructs/monitoring.ts).
 *
 * Primary course:
 *  1. the key: SHA-256 of the recipients, subject, bodies and reply-to;
 *  2. claimed for `claimLeaseMs` (longer than the function's timeout), or
 *     skipped when sent — or being sent — within `dedupWindowMs`;
 *  3. sent through the transport; the claim is kept for `dedupWindowMs`.
 */
import { createHash } from 'node:crypto';
import type { Mailer, MailMessage, SentMailLog } from '#shared/ports/mailer.ts';
import { MailDeliveryError } from '#shared/tasks/mail.ts';

/**
 * How long a sent message is remembered: longer than Lambda's asynchronous
 * retries (maximum event age, 1 h: infra/stacks/stateless-stack.ts) and a
 * workflow's MailDeliveryError retries (minutes), shorter than the shortest
 * interval at which the system sends the same words on purpose (daily reminders).
 */
export const dedupWindowMs = 60 * 60 * 1000;
/** A claim of a run that died mid-send runs out after this (SendMail's timeout is 60 s). */
export const claimLeaseMs = 2 * 60 * 1000;

export function mailKey(message: MailMessage): string {
  const canonical = JSON.stringify([[...message.to], message.subject, message.text, message.html ?? null, message.replyTo ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export interface MailRelayPorts {
  /** The stage's transport (runtime/ports/mail.ts mailTransport). */
  readonly transport: Mailer;
  readonly sentMail: SentMailLog;
  readonly now: () => Date;
}

export type RelayOutcome = { readonly key: string; readonly sent: true; readonly messageId: string } | { readonly key: string; readonly sent: false; readonly reason: 'duplicate' };

export async function relayMail(message: MailMessage, ports: MailRelayPorts): Promise<RelayOutcome> {
  const key = mailKey(message);
  const at = ports.now();
  const claimedAt = at.toISOString();
  if (!(await ports.sentMail.claim(key, claimedAt, new Date(at.getTime() + claimLeaseMs).toISOString()))) return { key, sent: false, reason: 'duplicate' };
  let messageId: string;
  try {
    ({ messageId } = await ports.transport.send(message));
  } catch (error) {
    await ports.sentMail.release(key, claimedAt);
    throw new MailDeliveryError(error);
  }
  await ports.sentMail.sent(key, messageId, new Date(ports.now().getTime() + dedupWindowMs).toISOString());
  return { key, sent: true, messageId };
}
