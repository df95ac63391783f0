import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { catalogue, humanTasks, identityRepo } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordWithdrawalDecision, withdrawalDecisionSchema } from '#shared/publication/withdrawal.ts';
import { publication } from './context.ts';

export const recordWithdrawalDecisionInputSchema = z.object({
  releaseNumber: z.string().check(z.minLength(1)),
  k: z.number().check(z.int()).check(z.gte(1)),
  /** Which approving department (0, or 1 in a joint decision). */
  approver: z.optional(z.number().check(z.int()).check(z.gte(0)).check(z.lte(1))),
  decision: withdrawalDecisionSchema,
  execution: z.optional(z.string()),
});

/**
 * Withdrawal › Record Withdrawal Decision: a department's 同意撤回 / 不予撤回 on the request (audited, on the release's
 * entry); the last agreement withdraws the release (R11.withdrawn counted in the same transaction); a refusal emails
 * the requester the reasons and, in a joint decision, throws WithdrawalRefused (ends the Parallel state).
 */
export const handler = sfnTask(publication, 'RecordWithdrawalDecision', recordWithdrawalDecisionInputSchema, [catalogue, identityRepo, mailer, humanTasks, now], async (input, p, task) =>
  recordWithdrawalDecision(p, { releaseNumber: input.releaseNumber, k: input.k, approver: input.approver ?? 0, decision: input.decision, requestIdOfCall: task.requestId }),
);
