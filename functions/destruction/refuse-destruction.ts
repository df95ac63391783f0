import * as z from 'zod';
import { approvalSchema, refuseDestruction } from '#shared/destruction/destruction.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { destructions, identityRepo } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { destruction } from './context.ts';

export const refuseDestructionInputSchema = z.object({
  resultNumber: z.string().min(1),
  destructionId: z.string().min(1),
  approval: approvalSchema.optional(),
  /** Set by the Catch of a timed-out or failed approval wait. */
  timedOut: z.boolean().optional(),
  execution: z.string().optional(),
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
