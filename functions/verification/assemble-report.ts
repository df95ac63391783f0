import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { recordChecksCompleted } from '#shared/verification/outcome.ts';
import { assembleVerificationReport } from '#shared/verification/run.ts';
import { verificationPortsFromEnv, type VerificationPorts } from './deps.ts';

export const assembleReportInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  batches: z.array(z.object({ key: z.string().min(1) }).loose()),
  execution: z.string().optional(),
});

/** "Assemble Report": package-wide checks and the verdict; report.json/html kept; `checksCompleted` on the timeline. */
export function makeHandler(ports?: VerificationPorts) {
  return withSfnTask('AssembleReport', assembleReportInputSchema, async (input, ctx) => {
    const p = ports ?? (await verificationPortsFromEnv());
    const { summary } = await assembleVerificationReport(
      { ...p, orgName: async (code) => (await p.identity.getOrganisation(code))?.name },
      { submissionId: input.submissionId, n: input.n, batches: input.batches },
    );
    await recordChecksCompleted(p, { submissionId: input.submissionId, n: input.n, ...summary, requestId: ctx.requestId });
    return summary;
  });
}

export const handler = makeHandler();
