import { z } from 'zod';
import { withSfnTask } from '#runtime/with-sfn-task.ts';
import { auditTrail } from '#adapters/audited-write.ts';
import type { AuditTrail } from '#shared/ports/audit.ts';
import { recordWorkflowFailure } from '#shared/platform/workflow-failure.ts';

export const workflowFailureInputSchema = z.object({
  stateMachine: z.string().min(1),
  subject: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  /** What Catch put at $.failure: Step Functions' { Error, Cause }. */
  failure: z.object({ Error: z.string().default('States.Runtime'), Cause: z.string().default('') }).loose(),
  execution: z.string().optional(),
});

/** "… Failed" of Destruction, CatalogueReport and IntegrityAudit: one audited workflow.failed record, then the execution fails. */
export function makeHandler(ports?: { trail: Pick<AuditTrail, 'append'> }) {
  return withSfnTask('RecordWorkflowFailure', workflowFailureInputSchema, async (input, ctx) => {
    const { seq } = await recordWorkflowFailure(ports?.trail ?? auditTrail(), {
      stateMachine: input.stateMachine,
      subject: input.subject,
      failure: { Error: input.failure.Error, Cause: input.failure.Cause },
      requestId: ctx.requestId,
      ...(input.execution ? { execution: input.execution } : {}),
    });
    return { recorded: true, seq };
  });
}

export const handler = makeHandler();
