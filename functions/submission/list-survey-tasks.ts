import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { calendar, submissions } from '#runtime/ports/registry.ts';
import { listSurveyTasks } from '#shared/submission/tasks.ts';
import { submission } from './context.ts';

/** GET /survey-tasks — the caller's (or a subordinate organisation's) tasks with their R6.1 deadlines. */
export const handler = http(submission, 'ListSurveyTasks', [submissions, calendar, now], async (req, p) => {
  const { org, as, limit, cursor } = req.query;
  return {
    body: await listSurveyTasks(
      { actor: req.principal, limit, ...(org ? { org } : {}), ...(as ? { as } : {}), ...(cursor ? { cursor } : {}) },
      { ...p, store: p.submissions },
    ),
  };
});
