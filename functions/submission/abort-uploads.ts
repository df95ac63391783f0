import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { abortUploads } from '#shared/submission/uploads.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** DELETE /submissions/{submissionId}/versions/{n}/uploads — AbortMultipartUpload for every open upload of the version (or of one file, ?path=). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'AbortUploads',
    submissionContracts.AbortUploads,
    async (req) => {
      const result = await abortUploads(
        {
          actor: signedIn(req.principal),
          submissionId: req.path.submissionId,
          n: req.path.n,
          ...(req.query.path !== undefined ? { path: req.query.path } : {}),
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
