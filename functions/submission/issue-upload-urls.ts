import { http } from '#runtime/http.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { issueUploadUrls } from '#shared/submission/uploads.ts';
import { submission } from './context.ts';

/** POST /submissions/{submissionId}/versions/{n}/upload-urls — presigned PUT / UploadPart URLs with signed checksum headers. */
export const handler = http(submission, 'IssueUploadUrls', [submissions, objects, now], async (req, p) => {
  const { files, cursor } = req.body;
  return {
    body: await issueUploadUrls(
      {
        actor: req.principal,
        submissionId: req.path.submissionId,
        n: req.path.n,
        ...(files ? { files } : {}),
        ...(cursor ? { cursor } : {}),
        requestId: req.requestId,
      },
      { ...p, store: p.submissions },
    ),
  };
});
