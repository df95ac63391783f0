import * as z from 'zod/mini';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { problemStore } from '#runtime/ports/feedback.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { catalogue, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { sharingRead } from '#runtime/ports/sharing.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { completeCorrection, resultGrants } from '#shared/feedback/correction.ts';
import { transfer } from './context.ts';

export const recordCorrectionInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  execution: z.optional(z.string()),
});

/** "Record Correction" (R19.3): after the receipt, a corrected version becomes the entry's current version; grant holders emailed; problems fixed. */
export const handler = sfnTask(
  transfer,
  'RecordCorrection',
  recordCorrectionInputSchema,
  [submissions, catalogue, problemStore, sharingRead, identityRepo, mailer, now, appBaseUrl],
  async (input, p, task) =>
    completeCorrection(
      { store: p.submissions, catalogue: p.catalogue, problems: p.problems, grants: resultGrants(p.sharing), identity: p.identity, mailer: p.mailer, now: p.now, appBaseUrl: p.appBaseUrl },
      { submissionId: input.submissionId, n: input.n, resultNumber: input.resultNumber, requestId: task.requestId },
    ),
);
