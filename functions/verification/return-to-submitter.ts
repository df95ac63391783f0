import * as z from 'zod';
import { sfnTask } from '#runtime/sfn-task.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { documents } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { metrics } from '#runtime/ports/metrics.ts';
import { calendar, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { returnToSubmitter } from '#shared/verification/outcome.ts';
import { verification } from './context.ts';

export const returnInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  review: z.object({
    decision: z.literal('return'),
    reasons: z.string().default(''),
    decidedBy: z.string().min(1),
    source: z.enum(['checks', 'review']).default('review'),
  }),
  execution: z.string().optional(),
});

/** "Return To Submitter" (R7.2): returned with the defects and the 15 WD resubmission clock; the submitter emailed. */
export const handler = sfnTask(verification, 'ReturnToSubmitter', returnInputSchema, [submissions, identityRepo, mailer, documents, calendar, now, appBaseUrl, metrics], async (input, p, ctx) =>
  returnToSubmitter({ ...p, store: p.submissions }, { submissionId: input.submissionId, n: input.n, review: input.review, requestId: ctx.requestId }),
);
