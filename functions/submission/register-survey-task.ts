import { withHttp } from '#shared/http/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { registerSurveyTask } from '#shared/submission/tasks.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** POST /survey-tasks — 201 with the task (R6.1 deadline null until completion is recorded). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'RegisterSurveyTask',
    submissionContracts.RegisterSurveyTask,
    async (req) => {
      const task = await registerSurveyTask({ actor: signedIn(req.principal), input: req.body, requestId: req.requestId }, await portsOf(deps));
      return { status: 201, body: { task } };
    },
    deps,
  );
}

export const handler = makeHandler();
