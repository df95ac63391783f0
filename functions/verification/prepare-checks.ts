import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { now } from '#runtime/ports/basics.ts';
import { documents, packages } from '#runtime/ports/buckets.ts';
import { submissions } from '#runtime/ports/registry.ts';
import { prepareChecks } from '#shared/verification/run.ts';
import { verification } from './context.ts';

export const verificationInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  execution: z.optional(z.string()),
});

/** "Prepare Checks": the sealed version's manifest and objects, planned into batches for the Map. */
export const handler = sfnTask(verification, 'PrepareChecks', verificationInputSchema, [submissions, packages, documents, now], async (input, p) =>
  prepareChecks({ ...p, store: p.submissions }, { submissionId: input.submissionId, n: input.n }),
);
