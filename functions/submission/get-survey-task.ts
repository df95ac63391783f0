import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { getSurveyTask } from '#shared/submission/tasks.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** GET /survey-tasks/{taskId} — the task, its R6.1 deadline as of today, its submissions. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'GetSurveyTask',
    submissionContracts.GetSurveyTask,
    async (req) => ({ body: await getSurveyTask({ actor: signedIn(req.principal), taskId: req.path.taskId }, await portsOf(deps)) }),
    deps,
  );
}

export const handler = makeHandler();
