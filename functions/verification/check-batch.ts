import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { checkBatch } from '#shared/verification/run.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const checkBatchInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  batch: z.object({ batch: z.number().int().min(0), key: z.string().min(1), files: z.number().int().min(0) }),
});

/** "Check Batch" (one Map iteration): verifyUnit over S3 ranged reads; results to the documents bucket. */
export function makeHandler(ports?: VerificationPorts) {
  return withSfnTask('CheckBatch', checkBatchInputSchema, async (input) =>
    checkBatch(ports ?? (await verificationPortsFromEnv()), { submissionId: input.submissionId, n: input.n, batch: input.batch.batch, key: input.batch.key }),
  );
}

export const handler = makeHandler();
