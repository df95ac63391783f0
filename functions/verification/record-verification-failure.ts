import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { now } from '#runtime/ports/basics.ts';
import { submissions, verificationFailures } from '#runtime/ports/registry.ts';
import { recordVerificationFailure } from '#shared/verification/outcome.ts';
import { verification } from './context.ts';

export const failureInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.looseObject({ Error: z._default(z.string(), 'States.Runtime'), Cause: z._default(z.string(), '') }),
  execution: z.optional(z.string()),
});

/** "Record Failure": the version → verificationFailed with the error, on the timeline (audited). */
export const handler = sfnTask(verification, 'RecordVerificationFailure', failureInputSchema, [submissions, verificationFailures, now], async (input, p, ctx) =>
  recordVerificationFailure(
    { store: p.submissions, failures: p.verificationFailures, now: p.now },
    { submissionId: input.submissionId, n: input.n, error: input.failure.Error, cause: input.failure.Cause, requestId: ctx.requestId },
  ),
);
