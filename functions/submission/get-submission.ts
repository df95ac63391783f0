import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { getSubmission } from '#shared/submission/submissions.ts';
import { submission } from './context.ts';

/** GET /submissions/{submissionId} — rounds, outcomes and deadlines. */
export const handler = http(submission, 'GetSubmission', [submissions, calendar, now], async (req, p) => ({
  body: await getSubmission({ actor: req.principal, submissionId: req.path.submissionId }, { ...p, store: p.submissions }),
}));
