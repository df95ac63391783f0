import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { returnToSubmitter } from '#shared/verification/outcome.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const returnInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  review: z.object({
    decision: z.literal('return'),
    reasons: z.string().default(''),
    decidedBy: z.string().min(1),
    source: z.enum(['checks', 'review']).default('review'),
  }),
  execution: z.string().optional(),
});

/** "Return To Submitter" (R7.2): returned with the defects and the 15 WD resubmission clock; the submitter emailed. */
export function makeHandler(ports?: VerificationPorts) {
  return withSfnTask('ReturnToSubmitter', returnInputSchema, async (input, ctx) =>
    returnToSubmitter(ports ?? (await verificationPortsFromEnv()), { submissionId: input.submissionId, n: input.n, review: input.review, requestId: ctx.requestId }),
  );
}

export const handler = makeHandler();
