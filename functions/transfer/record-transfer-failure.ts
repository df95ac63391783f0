import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import { recordTransferFailure, type TransferPorts } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const transferFailureInputSchema = z.object({
  submissionId: z.string().min(1),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
});

type FailurePorts = Pick<TransferPorts, 'store' | 'now'> & { tasks?: Pick<HumanTaskStore, 'listBySubject' | 'expire'> };

/**
 * "Transfer Failed": the error on the timeline (audited), with whether a number had been assigned;
 * the submission back to transferState failed (POST …/transfer starts it again); the execution's open tasks closed.
 */
export function makeHandler(ports?: FailurePorts) {
  return withSfnTask('RecordTransferFailure', transferFailureInputSchema, async (input, ctx) => {
    // Only what this step touches (the defaults' other getters would require their variables).
    const resolved: FailurePorts = ports ?? (await (async () => {
      const all = await transferPortsFromEnv();
      return { store: all.store, now: all.now, tasks: (await import('#adapters/dynamo-tasks.ts')).humanTaskStoreFromEnv() };
    })());
    return recordTransferFailure(resolved, {
      submissionId: input.submissionId,
      error: input.failure.Error,
      cause: input.failure.Cause,
      requestId: ctx.requestId,
      ...(input.execution ? { execution: input.execution } : {}),
    });
  });
}

export const handler = makeHandler();
