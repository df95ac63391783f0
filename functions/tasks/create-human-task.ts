import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, newTaskIdPort, now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, humanTasks, identityRepo } from '#runtime/ports/registry.ts';
import { vault } from '#runtime/ports/vault.ts';
import { createHumanTask } from '#shared/tasks/human-tasks.ts';
import { tasks } from './context.ts';

export const createHumanTaskInputSchema = z.object({
  taskToken: z.string().check(z.minLength(1)).check(z.maxLength(2048)),
  kind: z.string().check(z.minLength(1)),
  subject: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The waiting state's TimeoutSeconds, passed alongside it in the ASL. */
  timeoutSeconds: z.number().check(z.int()).check(z.positive()),
  escalationLevel: z._default(z.number().check(z.int()).check(z.gte(0)), 0),
  replaces: z.optional(z.nullable(z.string())),
  execution: z.optional(z.string()),
  /** Added by the local cloud's engine when it re-enters this wait after a restart (infra/local/sfn-engine.ts). */
  redriveCount: z.optional(z.number().check(z.int()).check(z.gte(0))),
});

/**
 * The `.waitForTaskToken` Lambda of every approval: stores the human task
 * (token sealed), emails the assignees the task page link, returns. The
 * execution then waits for DecideHumanTask's SendTaskSuccess. The return
 * value is for the log only: Step Functions ignores it.
 */
export const handler = sfnTask(
  tasks,
  'CreateHumanTask',
  createHumanTaskInputSchema,
  [humanTasks, vault, identityRepo, mailer, calendar, now, newTaskIdPort, appBaseUrl, kinds],
  async (input, p, ctx) => {
    const { task, emailed } = await createHumanTask({ ...p, tasks: p.humanTasks }, {
      taskToken: input.taskToken,
      kind: input.kind,
      subject: input.subject,
      timeoutSeconds: input.timeoutSeconds,
      escalationLevel: input.escalationLevel,
      ...(input.replaces ? { replaces: input.replaces } : {}),
      ...(input.redriveCount ? { resumed: true } : {}),
      ...(ctx.execution ? { execution: ctx.execution } : {}),
      requestId: ctx.requestId,
      fn: 'CreateHumanTask',
    });
    return { taskId: task.id, kind: task.kind, assignees: task.assignees, due: task.due, emailed: emailed.length };
  },
);
