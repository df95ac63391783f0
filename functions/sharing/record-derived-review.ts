import * as z from 'zod/mini';
import { recordDerivedReview } from '#shared/sharing/derived.ts';
import { sharingDecisionSchema } from '#shared/sharing/sharing.ts';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { derivedProducts } from '#runtime/ports/derived.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { sharing } from './context.ts';

export const recordDerivedReviewInputSchema = z.object({
  productId: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  approval: z.optional(sharingDecisionSchema),
  timedOut: z.optional(z.boolean()),
  execution: z.optional(z.string()),
});

/** DerivedProductReview › Record Review: 同意发布 / 不予发布 (or unanswered) recorded once, counted, the registrant emailed. */
export const handler = sfnTask(sharing, 'RecordDerivedReview', recordDerivedReviewInputSchema, [derivedProducts, identityRepo, mailer, now], async (input, p, task) => {
  const product = await recordDerivedReview(p, { productId: input.productId, organiserOrg: input.organiserOrg, approval: input.approval, timedOut: input.timedOut, requestId: task.requestId });
  return { status: product.status };
});
