import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { issueUploadUrls } from '#shared/submission/uploads.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /submissions/{submissionId}/versions/{n}/upload-urls — presigned PUT / UploadPart URLs with signed checksum headers. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'IssueUploadUrls',
    submissionContracts.IssueUploadUrls,
    async (req) => {
      const { files, cursor } = req.body;
      const result = await issueUploadUrls(
        {
          actor: signedIn(req.principal),
          submissionId: req.path.submissionId,
          n: req.path.n,
          ...(files ? { files } : {}),
          ...(cursor ? { cursor } : {}),
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
