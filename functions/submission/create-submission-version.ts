import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { createNextVersion } from '#shared/submission/submissions.ts';
import { heldOfflineResponse, portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /submissions/{submissionId}/versions — the resubmission after a return (R7.2). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'CreateSubmissionVersion',
    submissionContracts.CreateSubmissionVersion,
    async (req) => {
      const result = await createNextVersion(
        {
          actor: signedIn(req.principal),
          submissionId: req.path.submissionId,
          ...(req.body.catalogue ? { catalogue: req.body.catalogue } : {}),
          files: req.body.files,
          requestId: req.requestId,
        },
        await portsOf(deps),
      );
      if (result.outcome === 'heldOffline') return heldOfflineResponse(result, req.requestId);
      return { status: 201, body: { submission: result.submission } };
    },
    deps,
  );
}

export const handler = makeHandler();
