import { http } from '#runtime/http.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { uploadStatus } from '#shared/submission/uploads.ts';
import { submission } from './context.ts';

/** GET /submissions/{submissionId}/versions/{n}/uploads — what arrived and what is still to send (resume). */
export const handler = http(submission, 'GetUploadStatus', [submissions, objects, now], async (req, p) => ({
  body: await uploadStatus(
    {
      actor: req.principal,
      submissionId: req.path.submissionId,
      n: req.path.n,
      limit: req.query.limit,
      ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
    },
    { ...p, store: p.submissions },
  ),
}));
