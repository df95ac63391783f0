import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { changeReviewArrangement } from '#shared/submission/tasks.ts';
import { submission } from './context.ts';

/** PUT /survey-tasks/{taskId}/arrangement — R7.1: who reviews and who countersigns, for rounds sealed from now on. */
export const handler = http(submission, 'ChangeReviewArrangement', [submissions, calendar, now], async (req, p) => ({
  body: await changeReviewArrangement(
    { actor: req.principal, taskId: req.path.taskId, input: req.body, requestId: req.requestId },
    { ...p, store: p.submissions },
  ),
}));
