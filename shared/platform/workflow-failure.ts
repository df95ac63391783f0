import type { AuditTrail } from '#shared/ports/audit.ts';

/** What a state machine's Catch put at `$.failure`: Step Functions' `{ Error, Cause }`. */
export interface CaughtFailure {
  readonly Error: string;
  readonly Cause: string;
}

export interface WorkflowFailure {
  /** The state machine's manifest name (`Destruction`, `CatalogueReport`, `IntegrityAudit`). */
  readonly stateMachine: string;
  /** What the execution was about, as the ASL passes it (`{ resultNumber, destructionId }`, `{ reportId }`, …). */
  readonly subject: Readonly<Record<string, string | number>>;
  readonly failure: CaughtFailure;
  /** `$$.Execution.Id`: the execution history holds the failed state and its input. */
  readonly execution?: string;
  readonly requestId: string;
}

/** Causes can carry a whole stack trace; the record keeps the start of it (the execution history keeps all). */
export const maxCauseLength = 2000;

/**
 * A workflow step failed after its retries (ASL convention 5, docs/architecture.md): before the
 * execution fails, one audited `workflow.failed` record says which machine, about what, with which
 * error. For machines whose domain has no failure state of its own (destruction, catalogue report,
 * integrity audit); Verification and Transfer record on the submission's timeline instead.
 */
export async function recordWorkflowFailure(trail: Pick<AuditTrail, 'append'>, input: WorkflowFailure): Promise<{ seq: number; hash: string }> {
  return trail.append({
    actor: `system:${input.stateMachine}`,
    orgCode: 'SYSTEM',
    action: 'workflow.failed',
    target: input.execution ? `EXECUTION#${input.execution}` : `WORKFLOW#${input.stateMachine}`,
    outcome: 'failed',
    requestId: input.requestId,
    detail: {
      stateMachine: input.stateMachine,
      subject: { ...input.subject },
      error: input.failure.Error,
      cause: input.failure.Cause.slice(0, maxCauseLength),
      ...(input.execution ? { execution: input.execution } : {}),
    },
  });
}
