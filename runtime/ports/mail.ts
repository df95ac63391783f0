/**
 * Mail: SES or SMTP by MAIL_TRANSPORT (functions with `sendsEmail`). The one place every message goes through:
 * each recipient's notification (我的通知, issue 13) is recorded here, on the registry under NOTIFY#<email>
 * (infra grants a sending function PutItem on those keys only), so no context records its own.
 */
import { mailerFromEnv } from '#adapters/mailer.ts';
import { notificationWriterFromEnv } from '#adapters/dynamo-notification-writer.ts';
import { recordingMailer } from '#shared/notifications/notifications.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { port } from '../port.ts';

export const mailer = /* @__PURE__ */ port({ name: 'mailer', env: ['mail', 'registry'], build: (env): Mailer => recordingMailer(mailerFromEnv(env), notificationWriterFromEnv(env)) });
