import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { derivedProducts } from '#runtime/ports/derived.ts';
import { catalogue, humanTasks, identityRepo } from '#runtime/ports/registry.ts';
import { followDerivedRelease } from '#shared/sharing/derived-release.ts';
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
 * the requester the reasons and, in a joint decision, throws WithdrawalRefused (ends the Parallel state). A withdrawn
 * release version of a derived product marks the product's publication withdrawn and emails its registrant (R18.2).
 */
export const handler = sfnTask(publication, 'RecordWithdrawalDecision', recordWithdrawalDecisionInputSchema, [catalogue, identityRepo, mailer, humanTasks, now, derivedProducts], async (input, p, task) => {
  const out = await recordWithdrawalDecision(p, { releaseNumber: input.releaseNumber, k: input.k, approver: input.approver ?? 0, decision: input.decision, requestIdOfCall: task.requestId });
  // R18.2: a withdrawn release version of a derived product marks the product's publication withdrawn (idempotent).
  if (out.next === 'withdrawn') await followDerivedRelease(p, { releaseNumber: input.releaseNumber, requestId: task.requestId });
  return out;
});
