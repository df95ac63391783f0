import * as z from 'zod/mini';
import { approveReview } from '#shared/sharing/offline.ts';
import { sharingDecisionSchema } from '#shared/sharing/sharing.ts';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { custody, documents } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, catalogue, identityRepo } from '#runtime/ports/registry.ts';
import { sharing as sharingStore, sharingDocuments } from '#runtime/ports/sharing.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { sharing } from './context.ts';

export const grantSharingAccessInputSchema = z.object({
  applicationId: z.string().check(z.minLength(1)),
  organiserOrg: z.string().check(z.minLength(1)),
  approval: sharingDecisionSchema,
  execution: z.optional(z.string()),
});

/**
 * SharingReview › Grant Access: online, the approval and the grant in one conditional transaction (the requester
 * emailed to sign); offline, the letter or task order (and the confidentiality agreement) stored write-once and the
 * approval recorded (the requester and the custodian emailed). grantId is null offline.
 */
export const handler = sfnTask(sharing, 'GrantSharingAccess', grantSharingAccessInputSchema, [sharingStore, custody, identityRepo, catalogue, calendar, sharingDocuments, mailer, now, appBaseUrl], async (input, p, task) =>
  approveReview(p, { applicationId: input.applicationId, organiserOrg: input.organiserOrg, approval: input.approval, requestId: task.requestId }),
);
