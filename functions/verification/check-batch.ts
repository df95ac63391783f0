import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { documents, packages } from '#runtime/ports/buckets.ts';
import { checkBatch } from '#shared/verification/run.ts';
import { verification } from './context.ts';

export const checkBatchInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  batch: z.object({ batch: z.number().check(z.int()).check(z.gte(0)), key: z.string().check(z.minLength(1)), files: z.number().check(z.int()).check(z.gte(0)) }),
});

/** "Check Batch" (one Map iteration): verifyUnit over S3 ranged reads; results to the documents bucket. */
export const handler = sfnTask(verification, 'CheckBatch', checkBatchInputSchema, [packages, documents], async (input, p) =>
  checkBatch(p, { submissionId: input.submissionId, n: input.n, batch: input.batch.batch, key: input.batch.key }),
);
