import * as z from 'zod/mini';
import { rejectSharing, sharingDecisionSchema } from '#shared/sharing/sharing.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { sharing } from './context.ts';

export const rejectSharingInputSchema = z.object({
  applicationId: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  approval: z.optional(sharingDecisionSchema),
  /** Set by the Catch of a failed review wait. */
  timedOut: z.optional(z.boolean()),
  execution: z.optional(z.string()),
});

/** SharingReview › Reject: 不予共享 with the reasons; the requester is emailed (R16.2). */
export const handler = sfnTask(sharing, 'RejectSharing', rejectSharingInputSchema, [sharingStore, identityRepo, mailer, now, appBaseUrl], async (input, p, task) => {
  const app = await rejectSharing(p, {
    applicationId: input.applicationId,
    organiserOrg: input.organiserOrg,
    ...(input.approval ? { approval: input.approval } : {}),
    ...(input.timedOut ? { timedOut: true } : {}),
    requestId: task.requestId,
  });
  return { applicationId: app.applicationId, status: app.status };
});
