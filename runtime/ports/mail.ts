/** Mail: SES or SMTP by MAIL_TRANSPORT (functions with `sendsEmail`). */
import { mailerFromEnv } from '#adapters/mailer.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { port } from '../port.ts';

export const mailer = /* @__PURE__ */ port({ name: 'mailer', env: ['mail'], build: (env): Mailer => mailerFromEnv(env) });
