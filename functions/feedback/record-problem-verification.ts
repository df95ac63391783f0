import * as z from 'zod/mini';
import { appBaseUrl, now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { problemStore } from '#runtime/ports/feedback.ts';
import { identityRepo } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordVerification, verificationDecisionSchema } from '#shared/feedback/verification-task.ts';
import { feedback } from './context.ts';

export const recordProblemVerificationInputSchema = z.object({
  problemId: z.string().check(z.minLength(1)),
  approval: verificationDecisionSchema,
  execution: z.optional(z.string()),
});

/** ProblemVerification › Record Verification: 属实 / 不属实 applied once (audited); 属实 emails the order to correct (R19.3). */
export const handler = sfnTask(feedback, 'RecordProblemVerification', recordProblemVerificationInputSchema, [problemStore, identityRepo, mailer, now, appBaseUrl], async (input, p, task) => {
  const out = await recordVerification(p, { problemId: input.problemId, approval: input.approval, requestId: task.requestId });
  return { state: out.problem.state, changed: out.changed, ordered: out.ordered };
});
