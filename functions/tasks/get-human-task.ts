import { withHttp } from '#runtime/with-http.ts';
import { tasksContracts } from '#shared/schemas/tasks-contracts.ts';
import { getHumanTask } from '#shared/tasks/human-tasks.ts';
import { signedIn } from '#functions/submission/deps.ts';
import { portsOf, type HumanTaskDeps } from './deps.ts';

/** GET /human-tasks/{id} — the assignee's view: what is to be decided; reading changes nothing. */
export function makeHandler(deps?: HumanTaskDeps) {
  return withHttp(
    'GetHumanTask',
    tasksContracts.GetHumanTask,
    async (req) => {
      const view = await getHumanTask(await portsOf(deps), { actor: signedIn(req.principal), id: req.path.id });
      return { body: view, headers: { 'cache-control': 'no-store' } };
    },
    deps,
  );
}

export const handler = makeHandler();
