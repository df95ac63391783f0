import { chinaDate } from '#shared/calendar/dates.ts';
import { extendPublicApplication, publicApplicationView } from '#shared/sharing/public.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar } from '#runtime/ports/registry.ts';
import { publicApplications } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/public-applications/{applicationId}/extension — once, 20 working days, with the reason. */
export const handler = http(sharing, 'ExtendPublicApplication', [publicApplications, calendar, mailer, now], async (req, p) => {
  const app = await extendPublicApplication(p, { actor: req.principal, applicationId: req.path.applicationId, reason: req.body.reason, requestId: req.requestId });
  return { body: { application: publicApplicationView(app, chinaDate(p.now())) } };
});
