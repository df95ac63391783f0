import { http } from '#runtime/http.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { completeFileUpload } from '#shared/submission/uploads.ts';
import { submission } from './context.ts';

/** POST /submissions/{submissionId}/versions/{n}/files/complete — CompleteMultipartUpload for one file. */
export const handler = http(submission, 'CompleteFileUpload', [submissions, objects, now], async (req, p) => ({
  body: await completeFileUpload(
    {
      actor: req.principal,
      submissionId: req.path.submissionId,
      n: req.path.n,
      path: req.body.path,
      parts: req.body.parts,
      requestId: req.requestId,
    },
    { ...p, store: p.submissions },
  ),
}));
