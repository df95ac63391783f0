import { z } from 'zod';
import { batchRefSchema, checkBatch, runRefSchema } from '#shared/custody/integrity.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { integrityAuditPortsFromEnv, type IntegrityAuditPorts } from './deps.ts';

export const checkBatchInputSchema = runRefSchema.extend({ batch: batchRefSchema, execution: z.string().optional() });

/** "Check Batch" (one Map iteration): each object of the batch against its custody manifest. */
export function makeHandler(ports?: IntegrityAuditPorts) {
  return withSfnTask('CheckCustodyBatch', checkBatchInputSchema, async (input) =>
    checkBatch(ports ?? (await integrityAuditPortsFromEnv()), { date: input.date, executionName: input.executionName }, input.batch),
  );
}

export const handler = makeHandler();
