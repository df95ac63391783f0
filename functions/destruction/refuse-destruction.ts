import { z } from 'zod';
import { approvalSchema, refuseDestruction } from '#shared/destruction/destruction.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { destructionPortsFromEnv, type DestructionPorts } from './deps.ts';

export const refuseDestructionInputSchema = z.object({
  resultNumber: z.string().min(1),
  destructionId: z.string().min(1),
  approval: approvalSchema.optional(),
  /** Set by the Catch of a timed-out or failed approval wait. */
  timedOut: z.boolean().optional(),
  execution: z.string().optional(),
});

/** Destruction › Refuse: the round closes unchanged in custody and catalogue; the requester is emailed. */
export function makeHandler(ports?: Pick<DestructionPorts, 'destructions' | 'identity' | 'mailer' | 'now'>) {
  return withSfnTask('RefuseDestruction', refuseDestructionInputSchema, async (input, ctx) => {
    const record = await refuseDestruction(ports ?? (await destructionPortsFromEnv()), {
      resultNumber: input.resultNumber,
      destructionId: input.destructionId,
      ...(input.approval ? { approval: input.approval } : {}),
      ...(input.timedOut ? { timedOut: true } : {}),
      requestId: ctx.requestId,
    });
    return { resultNumber: record.resultNumber, status: record.status };
  });
}

export const handler = makeHandler();
