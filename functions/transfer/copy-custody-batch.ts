import * as z from 'zod/mini';
import type { Context } from 'aws-lambda';
import { sfnTask } from '#runtime/sfn-task.ts';
import { copyBatch } from '#shared/custody/copy.ts';
import { copyPortsOf, copyUses } from './copy-into-custody.ts';
import { transfer } from './context.ts';

const count = z.number().check(z.int()).check(z.gte(0));

/** One multipart copy a previous invocation left unfinished (shared/ports/custody.ts PartialCopy): no part list. */
const partialCopySchema = z.object({
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  uploadId: z.string().check(z.minLength(1)),
  sourceEtag: z.string().check(z.minLength(1)),
  partsDone: count,
  parts: count,
});

export const copyCustodyBatchInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  batch: z.object({ batch: z.number().check(z.int()).check(z.gte(1)), after: z.optional(z.string().check(z.minLength(1))), limit: z.number().check(z.int()).check(z.gte(1)), bytes: z.number().check(z.int()).check(z.gte(0)) }),
  /** Absent (or invocation 0) on the batch's first call; the previous call's `resume` when it returned `continue: true`. */
  resume: z.optional(z.object({ invocation: count, uploads: z.array(partialCopySchema) })),
  execution: z.optional(z.string()),
});

/**
 * What an invocation keeps for itself at the end: parts in flight finish (an UploadPartCopy of up to
 * 5 GiB inside S3) and the result is returned. Of CopyCustodyBatch's 900 s, 780 s start parts.
 */
export const copyReserveMs = 120_000;
/**
 * Tests only, never set by the CDK app: CHENGGUO_TEST_COPY_BUDGET_MS caps the time an invocation starts
 * new copies in (so a test on the local cloud needs several invocations); docs/custody.md.
 */
export const testCopyBudgetEnv = 'CHENGGUO_TEST_COPY_BUDGET_MS';

/** When this invocation must stop starting copies: its remaining time less the reserve, or the test budget. */
export function copyDeadline(lambda: Pick<Context, 'getRemainingTimeInMillis'>, env: NodeJS.ProcessEnv = process.env, now = Date.now()): number {
  const byLambda = now + lambda.getRemainingTimeInMillis() - copyReserveMs;
  const budget = Number(env[testCopyBudgetEnv] ?? '');
  return budget > 0 ? Math.min(byLambda, now + budget) : byLambda;
}

/**
 * "Copy Batch" (one Distributed Map child, looped by "Batch Copied?"): the batch's files copied into
 * custody server-side (S3 CopyObject / UploadPartCopy; no bytes through the function), each confirmed
 * against the verified SHA-256. An invocation watches its remaining time: before it runs out it starts
 * nothing new, lets the parts in flight finish and returns `continue: true` with `resume` (the unfinished
 * uploads' key, uploadId, source ETag and parts done — never a part list); the state machine calls it
 * again with that, and it goes on from the parts S3 holds. A crash (a Lambda killed) is resumed the same
 * way by the Retry on the same input: the upload is found by ListMultipartUploads.
 */
export const handler = sfnTask(transfer, 'CopyCustodyBatch', copyCustodyBatchInputSchema, copyUses, async (input, p, task) => {
  const { batch, resume, ...version } = input;
  const deadline = copyDeadline(task.lambda);
  const done = await copyBatch(copyPortsOf(p), {
    submissionId: version.submissionId,
    n: version.n,
    resultNumber: version.resultNumber,
    ...(batch.after ? { after: batch.after } : {}),
    limit: batch.limit,
    outOfTime: () => Date.now() >= deadline,
    ...(resume ? { resume: resume.uploads } : {}),
  });
  const invocation = (resume?.invocation ?? 0) + 1;
  task.log.info('copy batch', { batch: batch.batch, invocation, files: done.files, continue: done.continue, unfinished: done.unfinished.length, partsDone: done.partsDone });
  return {
    batch: batch.batch,
    files: done.files,
    bytes: done.bytes,
    written: done.written,
    continue: done.continue,
    resume: { invocation, uploads: done.unfinished },
  };
});
