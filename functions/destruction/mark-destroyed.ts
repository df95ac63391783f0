import { z } from 'zod';
import { approvalSchema, markDestroyed } from '#shared/destruction/destruction.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { destructionPortsFromEnv, type DestructionPorts } from './deps.ts';

export const markDestroyedInputSchema = z.object({
  resultNumber: z.string().min(1),
  destructionId: z.string().min(1),
  approval: approvalSchema,
  removed: z.number().int().min(0),
  execution: z.string().optional(),
});

/** Destruction › Mark Destroyed: the entry's status and the round's approval record (audited). */
export function makeHandler(ports?: Pick<DestructionPorts, 'catalogue' | 'destructions' | 'now'>) {
  return withSfnTask('MarkDestroyed', markDestroyedInputSchema, async (input, ctx) => {
    const entry = await markDestroyed(ports ?? (await destructionPortsFromEnv()), { ...input, requestId: ctx.requestId });
    return { resultNumber: entry.resultNumber, status: entry.status, version: entry.version };
  });
}

export const handler = makeHandler();
