import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { openSubmission } from '#shared/submission/submissions.ts';
import { submission } from './context.ts';
import { heldOfflineResponse } from './held-offline.ts';

/** POST /survey-tasks/{taskId}/submissions — 201 with the submission and v1; 409 with the record when classified (R5.1). */
export const handler = http(submission, 'OpenSubmission', [submissions, calendar, now, newUuid], async (req, p) => {
  const result = await openSubmission(
    { actor: req.principal, taskId: req.path.taskId, catalogue: req.body.catalogue, files: req.body.files, requestId: req.requestId },
    { ...p, store: p.submissions },
  );
  if (result.outcome === 'heldOffline') return heldOfflineResponse(result, req.requestId);
  return { status: 201, body: { submission: result.submission } };
});
