import { z } from 'zod';
import { runRefSchema, writeReport } from '#shared/custody/integrity.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { integrityAuditPortsFromEnv, type IntegrityAuditPorts } from './deps.ts';

export const writeReportInputSchema = runRefSchema.extend({
  manifests: z.number().int().min(0),
  /** How many batches List Results made (States.ArrayLength of $.run.batches); their results are read from the documents bucket. */
  batches: z.number().int().min(0),
  execution: z.string().optional(),
});

/**
 * "Write Report": integrity/<date>/<executionName>.json and .html, and the
 * run's audited registry record, from the per-batch results files Check Batch
 * wrote under integrity/<date>/<executionName>/results/.
 */
export function makeHandler(ports?: IntegrityAuditPorts) {
  return withSfnTask('WriteIntegrityReport', writeReportInputSchema, async (input, ctx) =>
    writeReport(ports ?? (await integrityAuditPortsFromEnv()), {
      date: input.date,
      executionName: input.executionName,
      manifests: input.manifests,
      batches: input.batches,
      requestId: ctx.requestId,
    }),
  );
}

export const handler = makeHandler();
