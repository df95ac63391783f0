import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { objects } from '#runtime/ports/buckets.ts';
import { catalogue, submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { assignNumber } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

export const assignNumberInputSchema = z.object({ submissionId: z.string().check(z.minLength(1)), execution: z.optional(z.string()) });

/** "Assign Number": preconditions (verified, every file present), then the unified number and catalogue entry (audited). */
export const handler = sfnTask(transfer, 'AssignNumber', assignNumberInputSchema, [submissions, objects, catalogue, now], async (input, p, task) =>
  assignNumber({ ...p, store: p.submissions }, { submissionId: input.submissionId, requestId: task.requestId }),
);
