import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { getSurveyTask } from '#shared/submission/tasks.ts';
import { submission } from './context.ts';

/** GET /survey-tasks/{taskId} — the task, its R6.1 deadline as of today, its submissions. */
export const handler = http(submission, 'GetSurveyTask', [submissions, calendar, now], async (req, p) => ({
  body: await getSurveyTask({ actor: req.principal, taskId: req.path.taskId }, { ...p, store: p.submissions }),
}));
