import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { getSubmission } from '#shared/submission/submissions.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** GET /submissions/{submissionId} — rounds, outcomes and deadlines. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'GetSubmission',
    submissionContracts.GetSubmission,
    async (req) => ({ body: await getSubmission({ actor: signedIn(req.principal), submissionId: req.path.submissionId }, await portsOf(deps)) }),
    deps,
  );
}

export const handler = makeHandler();
