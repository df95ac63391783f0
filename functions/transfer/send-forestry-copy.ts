import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { sendForestryCopy } from '#shared/transfer/forestry.ts';
import type { TransferPorts } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const sendForestryCopyInputSchema = z.object({
  submissionId: z.string().min(1),
  resultNumber: z.string().optional(),
  execution: z.string().optional(),
});

/** "Forestry Copy": R8.2 — for a forestry organiser, the copy record for the same-level natural-resources department. */
export function makeHandler(ports?: Pick<TransferPorts, 'store' | 'identity' | 'calendar' | 'now'>) {
  return withSfnTask('SendForestryCopy', sendForestryCopyInputSchema, async (input, ctx) =>
    sendForestryCopy(ports ?? (await transferPortsFromEnv()), {
      submissionId: input.submissionId,
      ...(input.resultNumber ? { resultNumber: input.resultNumber } : {}),
      requestId: ctx.requestId,
    }),
  );
}

export const handler = makeHandler();
