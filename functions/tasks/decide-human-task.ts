import { http } from '#runtime/http.ts';
import { now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { calendar, humanTasks } from '#runtime/ports/registry.ts';
import { vault } from '#runtime/ports/vault.ts';
import { workflow } from '#runtime/ports/workflow.ts';
import { decideHumanTask } from '#shared/tasks/human-tasks.ts';
import { tasks } from './context.ts';

/** POST /human-tasks/{id}/decision — the assignee decides, once; the workflow resumes. */
export const handler = http(tasks, 'DecideHumanTask', [humanTasks, vault, workflow, calendar, now, kinds], async (req, p) => {
  const view = await decideHumanTask(
    { ...p, tasks: p.humanTasks },
    { actor: req.principal, id: req.path.id, decision: req.body.decision, reasons: req.body.reasons, conditions: req.body.conditions, requestId: req.requestId },
  );
  return { body: view, headers: { 'cache-control': 'no-store' } };
});
