import * as z from 'zod';
import { sfnTask } from '#runtime/sfn-task.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions, verificationFailures } from '#runtime/ports/registry.ts';
import { recordVerificationFailure } from '#shared/verification/outcome.ts';
import { verification } from './context.ts';

export const failureInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
});

/** "Record Failure": the version → verificationFailed with the error, on the timeline (audited). */
export const handler = sfnTask(verification, 'RecordVerificationFailure', failureInputSchema, [submissions, verificationFailures, now], async (input, p, ctx) =>
  recordVerificationFailure(
    { store: p.submissions, failures: p.verificationFailures, now: p.now },
    { submissionId: input.submissionId, n: input.n, error: input.failure.Error, cause: input.failure.Cause, requestId: ctx.requestId },
  ),
);
