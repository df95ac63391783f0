import { chinaDate } from '#shared/calendar/dates.ts';
import { answerPublicApplication, publicApplicationView } from '#shared/sharing/public.ts';
import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar } from '#runtime/ports/registry.ts';
import { publicApplications } from '#runtime/ports/sharing.ts';
import { sharing } from './context.ts';

/** POST /sharing/public-applications/{applicationId}/answer — granted / partly / refused with the legal ground; emailed. */
export const handler = http(sharing, 'AnswerPublicApplication', [publicApplications, calendar, mailer, now], async (req, p) => {
  const app = await answerPublicApplication(p, {
    actor: req.principal,
    applicationId: req.path.applicationId,
    outcome: req.body.outcome,
    legalGround: req.body.legalGround,
    text: req.body.text,
    requestId: req.requestId,
  });
  return { body: { application: publicApplicationView(app, chinaDate(p.now())) } };
});
