import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { catalogue, publications } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { checkHold } from '#shared/publication/request.ts';
import { publication } from './context.ts';

export const checkPublicationHoldInputSchema = z.object({ requestId: z.string().check(z.minLength(1)), execution: z.optional(z.string()) });

/** Publication › Check Hold: held for the level above of the same programme or the embargo date (R11.1); how long to wait. */
export const handler = sfnTask(publication, 'CheckPublicationHold', checkPublicationHoldInputSchema, [publications, catalogue, now], async (input, p, task) =>
  checkHold(p, { requestId: input.requestId, requestIdOfCall: task.requestId }),
);
