import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { completeFileUpload } from '#shared/submission/uploads.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /submissions/{submissionId}/versions/{n}/files/complete — CompleteMultipartUpload for one file. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'CompleteFileUpload',
    submissionContracts.CompleteFileUpload,
    async (req) => {
      const result = await completeFileUpload(
        {
          actor: signedIn(req.principal),
          submissionId: req.path.submissionId,
          n: req.path.n,
          path: req.body.path,
          parts: req.body.parts,
          requestId: req.requestId,
        },
        await portsOf(deps),
      );
      return { body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
