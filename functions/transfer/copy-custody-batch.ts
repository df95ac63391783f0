import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { copyBatch } from '#shared/custody/copy.ts';
import { copyPortsOf, copyUses } from './copy-into-custody.ts';
import { transfer } from './context.ts';

export const copyCustodyBatchInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  batch: z.object({ batch: z.number().check(z.int()).check(z.gte(1)), after: z.optional(z.string().check(z.minLength(1))), limit: z.number().check(z.int()).check(z.gte(1)), bytes: z.number().check(z.int()).check(z.gte(0)) }),
  execution: z.optional(z.string()),
});

/**
 * "Copy Batch" (one Distributed Map child): the batch's files copied into
 * custody server-side (S3 CopyObject / UploadPartCopy; no bytes through the
 * function), each confirmed against the verified SHA-256. Returns only its
 * batch number and counts.
 */
export const handler = sfnTask(transfer, 'CopyCustodyBatch', copyCustodyBatchInputSchema, copyUses, async (input, p) => {
  const { batch, ...version } = input;
  const done = await copyBatch(copyPortsOf(p), {
    submissionId: version.submissionId,
    n: version.n,
    resultNumber: version.resultNumber,
    ...(batch.after ? { after: batch.after } : {}),
    limit: batch.limit,
  });
  return { batch: batch.batch, ...done };
});
