import { http } from '#runtime/http.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { abortUploads } from '#shared/submission/uploads.ts';
import { submission } from './context.ts';

/** DELETE /submissions/{submissionId}/versions/{n}/uploads — AbortMultipartUpload for every open upload of the version (or of one file, ?path=). */
export const handler = http(submission, 'AbortUploads', [submissions, objects, now], async (req, p) => ({
  body: await abortUploads(
    {
      actor: req.principal,
      submissionId: req.path.submissionId,
      n: req.path.n,
      ...(req.query.path !== undefined ? { path: req.query.path } : {}),
      requestId: req.requestId,
    },
    { ...p, store: p.submissions },
  ),
}));
