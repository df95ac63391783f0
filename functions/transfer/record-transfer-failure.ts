import * as z from 'zod';
import { now } from '#runtime/ports/basics.ts';
import { humanTasks, submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordTransferFailure } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

export const transferFailureInputSchema = z.object({
  submissionId: z.string().min(1),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
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
