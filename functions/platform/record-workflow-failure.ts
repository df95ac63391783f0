import * as z from 'zod/mini';
import { auditTrailPort } from '#runtime/ports/registry.ts';
import { sfnTask } from '#runtime/sfn-task.ts';
import { recordWorkflowFailure } from '#shared/platform/workflow-failure.ts';
import { platform } from './context.ts';

export const workflowFailureInputSchema = z.object({
  stateMachine: z.string().check(z.minLength(1)),
  subject: z._default(z.record(z.string(), z.union([z.string(), z.number()])), {}),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.looseObject({ Error: z._default(z.string(), 'States.Runtime'), Cause: z._default(z.string(), '') }),
  execution: z.optional(z.string()),
});

/** "… Failed" of Destruction, CatalogueReport and IntegrityAudit: one audited workflow.failed record, then the execution fails. */
export const handler = sfnTask(platform, 'RecordWorkflowFailure', workflowFailureInputSchema, [auditTrailPort], async (input, p, task) => {
  const { seq } = await recordWorkflowFailure(p.trail, {
    stateMachine: input.stateMachine,
    subject: input.subject,
    failure: { Error: input.failure.Error, Cause: input.failure.Cause },
    requestId: task.requestId,
    ...(input.execution ? { execution: input.execution } : {}),
  });
  return { recorded: true, seq };
});
