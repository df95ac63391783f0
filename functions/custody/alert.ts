import * as z from 'zod/mini';
import { alertProblems } from '#shared/custody/integrity.ts';
import { listingDocuments } from '#runtime/ports/buckets.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { custody } from './context.ts';

export const alertInputSchema = z.object({ reportKey: z.string().check(z.minLength(1)), execution: z.optional(z.string()) });

/** "Alert": custodian and organiser emailed in Chinese, naming each bad object and the restore procedure. */
export const handler = sfnTask(custody, 'AlertIntegrityProblems', alertInputSchema, [listingDocuments, identityRepo, mailer], async (input, p) =>
  alertProblems(p, { reportKey: input.reportKey }),
);
