import { http } from '#runtime/http.ts';
import { newUuid, now } from '#runtime/ports/basics.ts';
import { calendar, catalogueStore, submissions } from '#runtime/ports/registry.ts';
import { registerSurveyTaskWithOverlaps } from '#shared/submission/tasks.ts';
import { submission } from './context.ts';

/** POST /survey-tasks — 201 with the task (R6.1 deadline null until completion is recorded) and the R13.2 overlaps. */
export const handler = http(submission, 'RegisterSurveyTask', [submissions, calendar, now, newUuid, catalogueStore], async (req, p) => ({
  status: 201,
  body: await registerSurveyTaskWithOverlaps({ actor: req.principal, input: req.body, requestId: req.requestId }, { ...p, store: p.submissions }),
}));
