import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { problemReader } from '#runtime/ports/feedback.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { correctionOrders } from '#shared/feedback/orders.ts';
import { createNextVersion } from '#shared/submission/submissions.ts';
import { submission } from './context.ts';
import { heldOfflineResponse } from './held-offline.ts';

/** POST /submissions/{submissionId}/versions — the resubmission after a return (R7.2), or the correction the organiser ordered (R19.3). */
export const handler = http(submission, 'CreateSubmissionVersion', [submissions, calendar, now, newUuid, problemReader], async (req, p) => {
  const result = await createNextVersion(
    {
      actor: req.principal,
      submissionId: req.path.submissionId,
      ...(req.body.catalogue ? { catalogue: req.body.catalogue } : {}),
      files: req.body.files,
      requestId: req.requestId,
    },
    { ...p, store: p.submissions, corrections: correctionOrders({ store: p.submissions, problems: p.problems }) },
  );
  if (result.outcome === 'heldOffline') return heldOfflineResponse(result, req.requestId);
  return { status: 201, body: { submission: result.submission } };
});
