import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { heldOfflineResponse, portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /survey-tasks/{taskId}/submissions — 201 with the submission and v1; 409 with the record when classified (R5.1). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'OpenSubmission',
    submissionContracts.OpenSubmission,
    async (req) => {
      const result = await openSubmission(
        { actor: signedIn(req.principal), taskId: req.path.taskId, catalogue: req.body.catalogue, files: req.body.files, requestId: req.requestId },
        await portsOf(deps),
      );
      if (result.outcome === 'heldOffline') return heldOfflineResponse(result, req.requestId);
      return { status: 201, body: { submission: result.submission } };
    },
    deps,
  );
}

export const handler = makeHandler();
