/**
 * Mail (issue 10). `mailer`: what every function with `sendsEmail` uses — the message is handed to SendMail
 * (MAIL_FUNCTION), so no other bundle carries a transport. `mailTransport` and `sentMailLog`: SendMail's own
 * (`deliversMail`): SES or SMTP by MAIL_TRANSPORT, and what it sent (shared/platform/mail-relay.ts).
 * SendMail is the one place every message is delivered, so it also records each recipient's notification
 * (我的通知, issue 13) once the transport accepted it: on the registry under NOTIFY#<email> (infra grants SendMail
 * PutItem on those keys only); no context records its own.
 */
import { mailerFromEnv } from '#adapters/mailer.ts';
import { handoverMailerFromEnv } from '#adapters/mail-handover.ts';
import { sentMailLogFromEnv } from '#adapters/dynamo-mail-log.ts';
import { notificationWriterFromEnv } from '#adapters/dynamo-notification-writer.ts';
import { recordingMailer } from '#shared/notifications/notifications.ts';
import type { Mailer, SentMailLog } from '#shared/ports/mailer.ts';
import { port } from '../port.ts';

export const mailer = /* @__PURE__ */ port({ name: 'mailer', env: ['mailHandover'], build: (env): Mailer => handoverMailerFromEnv(env) });

export const mailTransport = /* @__PURE__ */ port({ name: 'mailTransport', env: ['mail', 'registry'], build: (env): Mailer => recordingMailer(mailerFromEnv(env), notificationWriterFromEnv(env)) });

export const sentMailLog = /* @__PURE__ */ port({ name: 'sentMailLog', env: ['logs'], build: (env): SentMailLog => sentMailLogFromEnv(env) });
