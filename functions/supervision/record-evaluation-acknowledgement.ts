import * as z from 'zod/mini';
import { evaluationStore } from '#runtime/ports/supervision.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { evaluationAcknowledgementSchema, recordEvaluationAcknowledgement } from '#shared/supervision/evaluation-ack.ts';
import { supervision } from './context.ts';

export const recordEvaluationAcknowledgementInputSchema = z.object({
  evaluationId: z.string().check(z.minLength(1)),
  acknowledgement: evaluationAcknowledgementSchema,
  execution: z.optional(z.string()),
});

/** EvaluationAcknowledgement › Record Acknowledgement: the organiser's 已阅 / 有异议, who and when, once (audited). */
export const handler = sfnTask(supervision, 'RecordEvaluationAcknowledgement', recordEvaluationAcknowledgementInputSchema, [evaluationStore], async (input, p, task) => {
  const { record, changed } = await recordEvaluationAcknowledgement(p, { evaluationId: input.evaluationId, acknowledgement: input.acknowledgement, requestId: task.requestId });
  return { evaluationId: record.evaluationId, decision: record.decision?.decision, changed };
});
