import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { prepareChecks } from '#shared/verification/run.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const verificationInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  execution: z.string().optional(),
});

/** "Prepare Checks": the sealed version's manifest and objects, planned into batches for the Map. */
export function makeHandler(ports?: VerificationPorts) {
  return withSfnTask('PrepareChecks', verificationInputSchema, async (input) =>
    prepareChecks(ports ?? (await verificationPortsFromEnv()), { submissionId: input.submissionId, n: input.n }),
  );
}

export const handler = makeHandler();
