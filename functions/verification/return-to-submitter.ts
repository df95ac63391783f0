import * as z from 'zod/mini';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { metrics } from '#runtime/ports/metrics.ts';
import { calendar, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { returnToSubmitter } from '#shared/verification/outcome.ts';
import { verification } from './context.ts';

export const returnInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  review: z.object({
    decision: z.literal('return'),
    reasons: z._default(z.string(), ''),
    decidedBy: z.string().check(z.minLength(1)),
    source: z._default(z.enum(['checks', 'review']), 'review'),
  }),
  execution: z.optional(z.string()),
});

/** "Return To Submitter" (R7.2): returned with the defects and the 15 WD resubmission clock; the submitter emailed. */
export const handler = sfnTask(verification, 'ReturnToSubmitter', returnInputSchema, [submissions, identityRepo, mailer, documents, calendar, now, appBaseUrl, metrics], async (input, p, ctx) =>
  returnToSubmitter({ ...p, store: p.submissions }, { submissionId: input.submissionId, n: input.n, review: input.review, requestId: ctx.requestId }),
);
