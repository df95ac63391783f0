import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { reports } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { acknowledgementSchema, recordAcknowledgement } from '#shared/catalogue-report/report.ts';
import { catalogueReport } from './context.ts';

export const recordAcknowledgementInputSchema = z.object({
  reportId: z.string().check(z.minLength(1)),
  acknowledgement: acknowledgementSchema,
  execution: z.optional(z.string()),
});

/** CatalogueReport › Record Acknowledgement: the upper level's decision, who and when (audited). */
export const handler = sfnTask(catalogueReport, 'RecordReportAcknowledgement', recordAcknowledgementInputSchema, [reports, now], async (input, p, task) => {
  const report = await recordAcknowledgement(p, { ...input, requestId: task.requestId });
  return { reportId: report.reportId, status: report.status };
});
