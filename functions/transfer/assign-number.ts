import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { assignNumber, type TransferPorts } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const assignNumberInputSchema = z.object({ submissionId: z.string().min(1), execution: z.string().optional() });

/** "Assign Number": preconditions (verified, every file present), then the unified number and catalogue entry (audited). */
export function makeHandler(ports?: TransferPorts) {
  return withSfnTask('AssignNumber', assignNumberInputSchema, async (input, ctx) =>
    assignNumber(ports ?? (await transferPortsFromEnv()), { submissionId: input.submissionId, requestId: ctx.requestId }),
  );
}

export const handler = makeHandler();
