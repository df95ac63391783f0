import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { identityRepo, submissions } from '#runtime/ports/registry.ts';
import { recordChecksCompleted } from '#shared/verification/outcome.ts';
import { assembleVerificationReport } from '#shared/verification/run.ts';
import { countersignersOf } from '#shared/verification/countersign-opinions.ts';
import { verification } from './context.ts';

export const assembleReportInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  batches: z.array(z.looseObject({ key: z.string().check(z.minLength(1)) })),
  execution: z.optional(z.string()),
});

/** "Assemble Report": package-wide checks and the verdict; report.json/html kept; `checksCompleted` on the timeline; who countersigns (R7.1). */
export const handler = sfnTask(verification, 'AssembleReport', assembleReportInputSchema, [submissions, identityRepo, documents, now], async (input, p, ctx) => {
  const store = p.submissions;
  const { summary } = await assembleVerificationReport(
    { store, documents: p.documents, now: p.now, orgName: async (code) => (await p.identity.getOrganisation(code))?.name },
    { submissionId: input.submissionId, n: input.n, batches: input.batches },
  );
  await recordChecksCompleted({ store, now: p.now }, { submissionId: input.submissionId, n: input.n, ...summary, requestId: ctx.requestId });
  // R7.1: the units whose opinion the review waits for (the machine's Countersign Map; empty: none).
  return { ...summary, countersign: await countersignersOf(store, input.submissionId, input.n) };
});
