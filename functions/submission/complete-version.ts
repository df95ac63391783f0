import { http } from '#runtime/http.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { submission } from './context.ts';

/** POST /submissions/{submissionId}/versions/{n}/complete — seal and start verification once: 202 when started, 200 after. */
export const handler = http(submission, 'CompleteVersion', [submissions, objects, workflow, now], async (req, p) => {
  const result = await completeVersion(
    { actor: req.principal, submissionId: req.path.submissionId, n: req.path.n, requestId: req.requestId },
    { ...p, store: p.submissions },
  );
  return { status: result.started ? 202 : 200, body: result };
});
