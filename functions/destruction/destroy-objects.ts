import * as z from 'zod/mini';
import { approvalSchema, destroyCustodyObjects } from '#shared/destruction/destruction.ts';
import { custodyDestroyers } from '#runtime/ports/buckets.ts';
import { destructions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { destruction } from './context.ts';

export const destroyObjectsInputSchema = z.object({
  resultNumber: z.string().check(z.minLength(1)),
  destructionId: z.string().check(z.minLength(1)),
  approval: approvalSchema,
  execution: z.optional(z.string()),
});

/**
 * Destruction › Destroy Objects: the one function that holds the custody
 * destroyer (and the only grant to delete custody versions). Reached only
 * from the approved branch of statemachines/destruction.asl.json.
 */
export const handler = sfnTask(destruction, 'DestroyCustodyObjects', destroyObjectsInputSchema, [destructions, custodyDestroyers], async (input, p) =>
  destroyCustodyObjects(p, { resultNumber: input.resultNumber, destructionId: input.destructionId, approval: input.approval }),
);
