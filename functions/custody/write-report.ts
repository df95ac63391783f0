import * as z from 'zod/mini';
import { runRefSchema, writeReport } from '#shared/custody/integrity.ts';
import { now } from '#runtime/ports/basics.ts';
import { listingDocuments, integrityRuns } from '#runtime/ports/buckets.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { custody } from './context.ts';

export const writeReportInputSchema = z.extend(runRefSchema, {
  manifests: z.number().check(z.int()).check(z.gte(0)),
  /** How many batches List Results made (States.ArrayLength of $.run.batches); their results are read from the documents bucket. */
  batches: z.number().check(z.int()).check(z.gte(0)),
  execution: z.optional(z.string()),
});

/**
 * "Write Report": integrity/<date>/<executionName>.json and .html, and the
 * run's audited registry record, from the per-batch results files Check Batch
 * wrote under integrity/<date>/<executionName>/results/.
 */
export const handler = sfnTask(custody, 'WriteIntegrityReport', writeReportInputSchema, [listingDocuments, integrityRuns, now], async (input, p, task) =>
  writeReport(p, { date: input.date, executionName: input.executionName, manifests: input.manifests, batches: input.batches, requestId: task.requestId }),
);
