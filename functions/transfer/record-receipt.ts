import * as z from 'zod/mini';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, identityRepo, submissions } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordReceipt } from '#shared/transfer/transfer.ts';
import { transfer } from './context.ts';

export const recordReceiptInputSchema = z.object({
  submissionId: z.string().check(z.minLength(1)),
  n: z.number().check(z.int()).check(z.gte(1)),
  resultNumber: z.string().check(z.minLength(1)),
  /** The custodian's task decision; absent in the same-unit case. */
  receipt: z.optional(z.looseObject({ decision: z.literal('approve'), decidedBy: z.string().check(z.minLength(1)), decidedAt: z.string().check(z.minLength(1)), taskId: z.optional(z.string()) })),
  execution: z.optional(z.string()),
});

/** "Record Receipt": the receipt date starts the R9.1 30 WD catalogue-report clock; the organiser is emailed. */
export const handler = sfnTask(
  transfer,
  'RecordReceipt',
  recordReceiptInputSchema,
  [submissions, identityRepo, mailer, calendar, now, appBaseUrl],
  async (input, p, task) =>
    recordReceipt(
      { ...p, store: p.submissions },
      {
        submissionId: input.submissionId,
        n: input.n,
        resultNumber: input.resultNumber,
        ...(input.receipt
          ? { receipt: { decidedBy: input.receipt.decidedBy, decidedAt: input.receipt.decidedAt, ...(input.receipt.taskId ? { taskId: input.receipt.taskId } : {}) } }
          : {}),
        requestId: task.requestId,
      },
    ),
);
