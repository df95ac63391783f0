import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { calendar, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { sendForestryCopy } from '#shared/transfer/forestry.ts';
import { transfer } from './context.ts';

export const sendForestryCopyInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  resultNumber: z.optional(z.string()),
  execution: z.optional(z.string()),
});

/** "Forestry Copy": R8.2 — for a forestry organiser, the copy record for the same-level natural-resources department. */
export const handler = sfnTask(transfer, 'SendForestryCopy', sendForestryCopyInputSchema, [submissions, identityRepo, calendar, now], async (input, p, task) =>
  sendForestryCopy(
    { store: p.submissions, identity: p.identity, calendar: p.calendar, now: p.now },
    { submissionId: input.submissionId, ...(input.resultNumber ? { resultNumber: input.resultNumber } : {}), requestId: task.requestId },
  ),
);
