import * as z from 'zod/mini';
import { approvalSchema, markDestroyed } from '#shared/destruction/destruction.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogue, destructions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { destruction } from './context.ts';

export const markDestroyedInputSchema = z.object({
  resultNumber: z.string().check(z.minLength(1)),
  destructionId: z.string().check(z.minLength(1)),
  approval: approvalSchema,
  removed: z.number().check(z.int()).check(z.gte(0)),
  execution: z.optional(z.string()),
});

/** Destruction › Mark Destroyed: the entry's status and the round's approval record (audited). */
export const handler = sfnTask(destruction, 'MarkDestroyed', markDestroyedInputSchema, [catalogue, destructions, now], async (input, p, task) => {
  const entry = await markDestroyed(p, { ...input, requestId: task.requestId });
  return { resultNumber: entry.resultNumber, status: entry.status, version: entry.version };
});
