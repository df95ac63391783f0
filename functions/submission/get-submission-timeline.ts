import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { getTimeline } from '#shared/submission/timeline.ts';
import { submission } from './context.ts';

/** GET /submissions/{submissionId}/timeline — everything that happened, and the deadlines, in time order. */
export const handler = http(submission, 'GetSubmissionTimeline', [submissions, calendar, now], async (req, p) => ({
  body: await getTimeline({ actor: req.principal, submissionId: req.path.submissionId }, { ...p, store: p.submissions }),
}));
