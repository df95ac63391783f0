import { withHttp } from '#runtime/with-http.ts';
import { submissionContracts } from '#shared/schemas/submission-contracts.ts';
import { recordCompletion } from '#shared/submission/tasks.ts';
import { portsOf, signedIn, type SubmissionDeps } from './deps.ts';

/** PUT /survey-tasks/{taskId}/completion — starts the R6.1 clock (30 WD). */
export function makeHandler(deps?: SubmissionDeps) {
  return withHttp(
    'RecordTaskCompletion',
    submissionContracts.RecordTaskCompletion,
    async (req) => {
      const result = await recordCompletion(
        { actor: signedIn(req.principal), taskId: req.path.taskId, completionDate: req.body.completionDate, requestId: req.requestId },
        await portsOf(deps),
      );
      return { body: result };
    },
    deps,
  );
}

export const handler = makeHandler();
