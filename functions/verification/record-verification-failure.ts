import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import type { VerificationFailureLog } from '#shared/ports/verification.ts';
import { recordVerificationFailure } from '#shared/verification/outcome.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const failureInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
});

let failureLog: VerificationFailureLog | undefined;

/** "Record Failure": the version → verificationFailed with the error, on the timeline (audited). */
export function makeHandler(ports?: Pick<VerificationPorts, 'store' | 'now'> & { failures: VerificationFailureLog }) {
  return withSfnTask('RecordVerificationFailure', failureInputSchema, async (input, ctx) => {
    let p = ports;
    if (!p) {
      const base = await verificationPortsFromEnv();
      const { verificationFailureLogFromEnv } = await import('#adapters/dynamo-verification.ts');
      p = { store: base.store, now: base.now, failures: (failureLog ??= verificationFailureLogFromEnv()) };
    }
    return recordVerificationFailure(p, { submissionId: input.submissionId, n: input.n, error: input.failure.Error, cause: input.failure.Cause, requestId: ctx.requestId });
  });
}

export const handler = makeHandler();
