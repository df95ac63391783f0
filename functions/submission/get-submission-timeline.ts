import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { getTimeline } from '#shared/submission/timeline.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** GET /submissions/{submissionId}/timeline — everything that happened, and the deadlines, in time order. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'GetSubmissionTimeline',
    submissionContracts.GetSubmissionTimeline,
    async (req) => ({ body: await getTimeline({ actor: signedIn(req.principal), submissionId: req.path.submissionId }, await portsOf(deps)) }),
    deps,
  );
}

export const handler = makeHandler();
