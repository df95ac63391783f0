import * as z from 'zod/mini';
import { grantAccess, sharingDecisionSchema } from '#shared/sharing/sharing.ts';
import { now } from '#runtime/ports/basics.ts';
import { custody, documents } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { sharing as sharingStore } from '#runtime/ports/sharing.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { sharing } from './context.ts';

export const grantSharingAccessInputSchema = z.object({
  applicationId: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  approval: sharingDecisionSchema,
  execution: z.optional(z.string()),
});

/** SharingReview › Grant Access: the approval and the grant in one conditional transaction; the requester is emailed. */
export const handler = sfnTask(sharing, 'GrantSharingAccess', grantSharingAccessInputSchema, [sharingStore, custody, documents, identityRepo, mailer, now], async (input, p, task) => {
  const grant = await grantAccess(p, { applicationId: input.applicationId, organiserOrg: input.organiserOrg, approval: input.approval, requestId: task.requestId });
  return { grantId: grant.grantId, files: grant.files.length };
});
