import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { calendar, humanTasks } from '#runtime/ports/registry.ts';
import { listMyHumanTasks } from '#shared/tasks/human-tasks.ts';
import { tasks } from './context.ts';

/** GET /human-tasks — 待办: the caller's open tasks, earliest due first; reading changes nothing. */
export const handler = http(tasks, 'ListMyHumanTasks', [humanTasks, calendar, now, kinds], async (req, p) => {
  const list = await listMyHumanTasks({ ...p, tasks: p.humanTasks }, { actor: req.principal, limit: req.query.limit });
  return { body: list, headers: { 'cache-control': 'no-store' } };
});
