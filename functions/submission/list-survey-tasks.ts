import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { listSurveyTasks } from '#shared/submission/tasks.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** GET /survey-tasks — the caller's (or a subordinate organisation's) tasks with their R6.1 deadlines. */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'ListSurveyTasks',
    submissionContracts.ListSurveyTasks,
    async (req) => {
      const { org, as, limit, cursor } = req.query;
      const page = await listSurveyTasks(
        { actor: signedIn(req.principal), limit, ...(org ? { org } : {}), ...(as ? { as } : {}), ...(cursor ? { cursor } : {}) },
        await portsOf(deps),
      );
      return { body: page };
    },
    deps,
  );
}

export const handler = makeHandler();
