import * as z from 'zod/mini';
import { approvalSchema, refuseDestruction } from '#shared/destruction/destruction.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { destructions, identityRepo } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { destruction } from './context.ts';

export const refuseDestructionInputSchema = z.object({
  resultNumber: z.string().check(z.minLength(1)),
  destructionId: z.string().check(z.minLength(1)),
  approval: z.optional(approvalSchema),
  /** Set by the Catch of a timed-out or failed approval wait. */
  timedOut: z.optional(z.boolean()),
  execution: z.optional(z.string()),
});

/** Destruction › Refuse: the round closes unchanged in custody and catalogue; the requester is emailed. */
export const handler = sfnTask(destruction, 'RefuseDestruction', refuseDestructionInputSchema, [destructions, identityRepo, mailer, now], async (input, p, task) => {
  const record = await refuseDestruction(p, {
    resultNumber: input.resultNumber,
    destructionId: input.destructionId,
    ...(input.approval ? { approval: input.approval } : {}),
    ...(input.timedOut ? { timedOut: true } : {}),
    requestId: task.requestId,
  });
  return { resultNumber: record.resultNumber, status: record.status };
});
