import { withHttp } from '#runtime/with-http.ts';
import { tasksContracts } from '#shared/schemas/tasks-contracts.ts';
import { decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type HumanTaskDeps } from './deps.ts';

/** POST /human-tasks/{id}/decision — the assignee decides, once; the workflow resumes. */
export function makeHandler(deps?: HumanTaskDeps) {
  return withHttp(
    'DecideHumanTask',
    tasksContracts.DecideHumanTask,
    async (req) => {
      const view = await decideHumanTask(await portsOf(deps), {
        actor: signedIn(req.principal),
        id: req.path.id,
        decision: req.body.decision,
        reasons: req.body.reasons,
        requestId: req.requestId,
      });
      return { body: view, headers: { 'cache-control': 'no-store' } };
    },
    deps,
  );
}

export const handler = makeHandler();
