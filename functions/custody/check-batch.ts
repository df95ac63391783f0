import * as z from 'zod/mini';
import { batchRefSchema, checkBatch, runRefSchema } from '#shared/custody/integrity.ts';
import { custody as custodyStore, listingDocuments, trustStoredChecksums } from '#runtime/ports/buckets.ts';
import { custodyRecords } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { custody } from './context.ts';

export const checkBatchInputSchema = z.extend(runRefSchema, { batch: batchRefSchema, execution: z.optional(z.string()) });

/** "Check Batch" (one Map iteration): each object of the batch against its custody manifest. */
export const handler = sfnTask(custody, 'CheckCustodyBatch', checkBatchInputSchema, [custodyStore, custodyRecords, listingDocuments, trustStoredChecksums], async (input, p) =>
  checkBatch(p, { date: input.date, executionName: input.executionName }, input.batch),
);
