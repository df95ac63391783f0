import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { metrics } from '#runtime/ports/metrics.ts';
import { calendar, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { verifySubmission } from '#shared/verification/outcome.ts';
import { verification } from './context.ts';

export const markVerifiedInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  review: z.looseObject({ decision: z.literal('approve'), decidedBy: z.string().check(z.minLength(1)) }),
  execution: z.optional(z.string()),
});

/** "Mark Verified" (R7.1): verified, the R8.1 15 WD transfer clock started, the submitter emailed. */
export const handler = sfnTask(verification, 'MarkVerified', markVerifiedInputSchema, [submissions, identityRepo, mailer, documents, calendar, now, appBaseUrl, metrics], async (input, p, ctx) =>
  verifySubmission({ ...p, store: p.submissions }, { submissionId: input.submissionId, n: input.n, decidedBy: input.review.decidedBy, requestId: ctx.requestId }),
);
