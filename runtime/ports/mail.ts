/**
 * Mail (issue 10). `mailer`: what every function with `sendsEmail` uses — the message is handed to SendMail
 * (MAIL_FUNCTION), so no other bundle carries a transport. `mailTransport` and `sentMailLog`: SendMail's own
 * (`deliversMail`): SES or SMTP by MAIL_TRANSPORT, and what it sent (shared/platform/mail-relay.ts).
 */
import { mailerFromEnv } from '#adapters/mailer.ts';
import { handoverMailerFromEnv } from '#adapters/mail-handover.ts';
import { sentMailLogFromEnv } from '#adapters/dynamo-mail-log.ts';
import type { Mailer, SentMailLog } from '#shared/ports/mailer.ts';
import { port } from '../port.ts';

export const mailer = /* @__PURE__ */ port({ name: 'mailer', env: ['mailHandover'], build: (env): Mailer => handoverMailerFromEnv(env) });

export const mailTransport = /* @__PURE__ */ port({ name: 'mailTransport', env: ['mail'], build: (env): Mailer => mailerFromEnv(env) });

export const sentMailLog = /* @__PURE__ */ port({ name: 'sentMailLog', env: ['logs'], build: (env): SentMailLog => sentMailLogFromEnv(env) });
