import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { escalateTimedOutTask, type HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { humanTaskPortsFromEnv } from '#functions/tasks/deps.ts';

export const escalateReviewInputSchema = z.object({
  kind: z.string().min(1),
  subject: z.record(z.string(), z.union([z.string(), z.number()])),
  execution: z.string().optional(),
});

/**
 * "Escalate Review": the review's wait timed out (Catch States.Timeout). The
 * timed-out task is recorded expired and its assignees reminded; the output
 * ({level, previousTaskId}) feeds the escalated wait, whose task adds the
 * superior organisation's reviewers.
 */
export function makeHandler(ports?: HumanTaskPorts) {
  return withSfnTask('EscalateReview', escalateReviewInputSchema, async (input, ctx) =>
    escalateTimedOutTask(ports ?? (await humanTaskPortsFromEnv()), { kind: input.kind, subject: input.subject, requestId: ctx.requestId, fn: 'EscalateReview' }),
  );
}

export const handler = makeHandler();
