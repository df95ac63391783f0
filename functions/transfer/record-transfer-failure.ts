import { z } from 'zod';
import { withSfnTask } from '#shared/http/with-sfn-task.ts';
import { recordTransferFailure, type TransferPorts } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const transferFailureInputSchema = z.object({
  submissionId: z.string().min(1),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
});

/** "Transfer Failed": the error on the timeline (audited), with whether a number had been assigned. */
export function makeHandler(ports?: Pick<TransferPorts, 'store' | 'now'>) {
  return withSfnTask('RecordTransferFailure', transferFailureInputSchema, async (input, ctx) =>
    recordTransferFailure(ports ?? (await transferPortsFromEnv()), {
      submissionId: input.submissionId,
      error: input.failure.Error,
      cause: input.failure.Cause,
      requestId: ctx.requestId,
    }),
  );
}

export const handler = makeHandler();
