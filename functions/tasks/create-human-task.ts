import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { createHumanTask, type HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { humanTaskPortsFromEnv } from './deps.ts';

export const createHumanTaskInputSchema = z.object({
  taskToken: z.string().min(1).max(2048),
  kind: z.string().min(1),
  subject: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The waiting state's TimeoutSeconds, passed alongside it in the ASL. */
  timeoutSeconds: z.number().int().positive(),
  escalationLevel: z.number().int().min(0).default(0),
  replaces: z.string().nullish(),
  execution: z.string().optional(),
  /** Added by the local cloud's engine when it re-enters this wait after a restart (infra/local/sfn-engine.ts). */
  redriveCount: z.number().int().min(0).optional(),
});

/**
 * The `.waitForTaskToken` Lambda of every approval: stores the human task
 * (token sealed), emails the assignees the task page link, returns. The
 * execution then waits for DecideHumanTask's SendTaskSuccess. The return
 * value is for the log only: Step Functions ignores it.
 */
export function makeHandler(ports?: HumanTaskPorts) {
  return withSfnTask('CreateHumanTask', createHumanTaskInputSchema, async (input, ctx) => {
    const { task, emailed } = await createHumanTask(ports ?? (await humanTaskPortsFromEnv()), {
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
  });
}

export const handler = makeHandler();
