import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { submission } from './context.ts';

/** PUT /survey-tasks/{taskId}/completion — starts the R6.1 clock (30 WD). */
export const handler = http(submission, 'RecordTaskCompletion', [submissions, calendar, now], async (req, p) => ({
  body: await recordCompletion(
    { actor: req.principal, taskId: req.path.taskId, completionDate: req.body.completionDate, requestId: req.requestId },
    { ...p, store: p.submissions },
  ),
}));
