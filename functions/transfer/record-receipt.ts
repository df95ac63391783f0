import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { recordReceipt, type TransferPorts } from '#shared/transfer/transfer.ts';
import { transferPortsFromEnv } from './deps.ts';

export const recordReceiptInputSchema = z.object({
  submissionId: z.string().min(1),
  n: z.number().int().min(1),
  resultNumber: z.string().min(1),
  /** The custodian's task decision; absent in the same-unit case. */
  receipt: z.object({ decision: z.literal('approve'), decidedBy: z.string().min(1), decidedAt: z.string().min(1), taskId: z.string().optional() }).loose().optional(),
  execution: z.string().optional(),
});

/** "Record Receipt": the receipt date starts the R9.1 30 WD catalogue-report clock; the organiser is emailed. */
export function makeHandler(ports?: TransferPorts) {
  return withSfnTask('RecordReceipt', recordReceiptInputSchema, async (input, ctx) =>
    recordReceipt(ports ?? (await transferPortsFromEnv()), {
      submissionId: input.submissionId,
      n: input.n,
      resultNumber: input.resultNumber,
      ...(input.receipt
        ? { receipt: { decidedBy: input.receipt.decidedBy, decidedAt: input.receipt.decidedAt, ...(input.receipt.taskId ? { taskId: input.receipt.taskId } : {}) } }
        : {}),
      requestId: ctx.requestId,
    }),
  );
}

export const handler = makeHandler();
