import { z } from 'zod';
import { acknowledgementSchema, recordAcknowledgement, type ReportPorts } from '#shared/catalogue-report/report.ts';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { catalogueReportPortsFromEnv } from './deps.ts';

export const recordAcknowledgementInputSchema = z.object({
  reportId: z.string().min(1),
  acknowledgement: acknowledgementSchema,
  execution: z.string().optional(),
});

/** CatalogueReport › Record Acknowledgement: the upper level's decision, who and when (audited). */
export function makeHandler(ports?: Pick<ReportPorts, 'reports' | 'now'>) {
  return withSfnTask('RecordReportAcknowledgement', recordAcknowledgementInputSchema, async (input, ctx) => {
    const report = await recordAcknowledgement(ports ?? (await catalogueReportPortsFromEnv()), { ...input, requestId: ctx.requestId });
    return { reportId: report.reportId, status: report.status };
  });
}

export const handler = makeHandler();
