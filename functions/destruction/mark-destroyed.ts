import * as z from 'zod';
import { approvalSchema, markDestroyed } from '#shared/destruction/destruction.ts';
import { now } from '#runtime/ports/basics.ts';
import { catalogue, destructions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { destruction } from './context.ts';

export const markDestroyedInputSchema = z.object({
  resultNumber: z.string().min(1),
  destructionId: z.string().min(1),
  approval: approvalSchema,
  removed: z.number().int().min(0),
  execution: z.string().optional(),
});

/** Destruction › Mark Destroyed: the entry's status and the round's approval record (audited). */
export const handler = sfnTask(destruction, 'MarkDestroyed', markDestroyedInputSchema, [catalogue, destructions, now], async (input, p, task) => {
  const entry = await markDestroyed(p, { ...input, requestId: task.requestId });
  return { resultNumber: entry.resultNumber, status: entry.status, version: entry.version };
});
