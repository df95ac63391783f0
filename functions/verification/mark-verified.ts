import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { verifySubmission } from '#shared/verification/outcome.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const markVerifiedInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  review: z.object({ decision: z.literal('approve'), decidedBy: z.string().min(1) }).loose(),
  execution: z.string().optional(),
});

/** "Mark Verified" (R7.1): verified, the R8.1 15 WD transfer clock started, the submitter emailed. */
export function makeHandler(ports?: VerificationPorts) {
  return withSfnTask('MarkVerified', markVerifiedInputSchema, async (input, ctx) =>
    verifySubmission(ports ?? (await verificationPortsFromEnv()), { submissionId: input.submissionId, n: input.n, decidedBy: input.review.decidedBy, requestId: ctx.requestId }),
  );
}

export const handler = makeHandler();
