import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { catalogue, publications } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { approvePublication } from '#shared/publication/request.ts';
import { publication } from './context.ts';

export const approvePublicationInputSchema = z.object({ requestId: z.string().check(z.minLength(1)), execution: z.optional(z.string()) });

/** Publication › Approve Release: release.state 'approved' on the release version's entry (audited); the request closes approved. */
export const handler = sfnTask(publication, 'ApprovePublication', approvePublicationInputSchema, [publications, catalogue, now], async (input, p, task) =>
  approvePublication(p, { requestId: input.requestId, requestIdOfCall: task.requestId }),
);
