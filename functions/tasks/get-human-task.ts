import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { calendar, humanTasks } from '#runtime/ports/registry.ts';
import { getHumanTask } from '#shared/tasks/human-tasks.ts';
import { tasks } from './context.ts';

/** GET /human-tasks/{id} — the assignee's view: what is to be decided; reading changes nothing. */
export const handler = http(tasks, 'GetHumanTask', [humanTasks, calendar, now, kinds], async (req, p) => {
  const view = await getHumanTask({ ...p, tasks: p.humanTasks }, { actor: req.principal, id: req.path.id });
  return { body: view, headers: { 'cache-control': 'no-store' } };
});
