import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { kinds } from '#runtime/ports/human-task-kinds.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { humanTasks, identityRepo } from '#runtime/ports/registry.ts';
import { escalateTimedOutTask } from '#shared/tasks/human-tasks.ts';
import { verification } from './context.ts';

export const escalateReviewInputSchema = z.object({
  kind: z.string().check(z.minLength(1)),
  subject: z.record(z.string(), z.union([z.string(), z.number()])),
  execution: z.optional(z.string()),
});

/**
 * "Escalate Review": the review's wait timed out (Catch States.Timeout). The
 * timed-out task is recorded expired and its assignees reminded; the output
 * ({level, previousTaskId}) feeds the escalated wait, whose task adds the
 * superior organisation's reviewers.
 */
export const handler = sfnTask(
  verification,
  'EscalateReview',
  escalateReviewInputSchema,
  [humanTasks, identityRepo, mailer, appBaseUrl, now, kinds],
  async (input, p, ctx) =>
    escalateTimedOutTask({ ...p, tasks: p.humanTasks }, { kind: input.kind, subject: input.subject, requestId: ctx.requestId, fn: 'EscalateReview' }),
);
