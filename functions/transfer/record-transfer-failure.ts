import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { humanTasks, submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordTransferFailure } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

export const transferFailureInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.looseObject({ Error: z._default(z.string(), 'States.Runtime'), Cause: z._default(z.string(), '') }),
  execution: z.optional(z.string()),
});

/**
 * "Transfer Failed": the error on the timeline (audited), with whether a number had been assigned;
 * the submission back to transferState failed (POST …/transfer starts it again); the execution's open tasks closed.
 */
export const handler = sfnTask(transfer, 'RecordTransferFailure', transferFailureInputSchema, [submissions, humanTasks, now], async (input, p, task) =>
  recordTransferFailure(
    { store: p.submissions, tasks: p.humanTasks, now: p.now },
    {
      submissionId: input.submissionId,
      error: input.failure.Error,
      cause: input.failure.Cause,
      requestId: task.requestId,
      ...(input.execution ? { execution: input.execution } : {}),
    },
  ),
);
