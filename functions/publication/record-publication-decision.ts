import * as z from 'zod/mini';
import { now } from '#runtime/ports/basics.ts';
import { mailer } from '#runtime/ports/mail.ts';
import { calendar, catalogue, humanTasks, identityRepo, publications } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { publicationDecisionSchema, recordApproval, recordReview } from '#shared/publication/request.ts';
import { publication } from './context.ts';

export const recordPublicationDecisionInputSchema = z.object({
  requestId: z.string().check(z.minLength(1)),
  round: z.number().check(z.int()).check(z.gte(1)),
  stage: z.enum(['review', 'approval']),
  /** Which approving department (0, or 1 in a joint approval). */
  approver: z.optional(z.number().check(z.int()).check(z.gte(0)).check(z.lte(1))),
  decision: publicationDecisionSchema,
  execution: z.optional(z.string()),
});

/**
 * Publication › Record Review / Record Decision: a decision on the request (audited, on its timeline); a return or
 * a refusal emails the preparer with the reasons. In a joint approval a refusal throws PublicationRefused, which
 * ends the Parallel state.
 */
export const handler = sfnTask(publication, 'RecordPublicationDecision', recordPublicationDecisionInputSchema, [publications, catalogue, identityRepo, mailer, calendar, humanTasks, now], async (input, p, task) =>
  input.stage === 'review'
    ? recordReview(p, { requestId: input.requestId, round: input.round, decision: input.decision, requestIdOfCall: task.requestId })
    : recordApproval(p, { requestId: input.requestId, round: input.round, approver: input.approver ?? 0, decision: input.decision, requestIdOfCall: task.requestId }),
);
