import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { uploadStatus } from '#shared/submission/uploads.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** GET /submissions/{submissionId}/versions/{n}/uploads — what arrived and what is still to send (resume). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'GetUploadStatus',
    submissionContracts.GetUploadStatus,
    async (req) => {
      const result = await uploadStatus(
        {
          actor: signedIn(req.principal),
          submissionId: req.path.submissionId,
          n: req.path.n,
          limit: req.query.limit,
          ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        },
        await portsOf(deps),
      );
      return { body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
