import type { AuditEntry } from '#shared/ports/audit.ts';

/**
 * The ping fixture: one item per run of the Ping state machine, proving the
 * chain HTTP → StartExecution → waitForTaskToken task → callback → last step.
 */
export const pingStatuses = ['started', 'waiting', 'acknowledged', 'timedOut', 'failed'] as const;
export type PingStatus = (typeof pingStatuses)[number];
export type PingOutcome = Extract<PingStatus, 'acknowledged' | 'timedOut' | 'failed'>;

export interface Ping {
  readonly pingId: string;
  readonly message: string;
  readonly requestedBy: string;
  readonly orgCode: string;
  readonly status: PingStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly executionArn?: string;
  readonly outcomeDetail?: Readonly<Record<string, unknown>>;
}

/** Each write carries its audit record in the same transaction (auditedWrite). */
export interface PingStore {
  /** Throws ConflictError `PING_EXISTS` if the id is taken. */
  create(ping: Ping, entry: AuditEntry): Promise<void>;
  get(pingId: string): Promise<Ping | undefined>;
  /**
   * Stores the task token of the waiting step, sealed like every human task's
   * (KMS on AWS, the local AES key on the laptop; context `PING#<pingId>`):
   * never in plain text. Allowed from `started` or `waiting` (a retried step
   * stores the new token); throws NotFoundError / PreconditionFailedError otherwise.
   */
  recordWaiting(pingId: string, wait: { sealedTaskToken: string; execution?: string }, at: string, entry: AuditEntry): Promise<Ping>;
  /** From `waiting` only; throws PreconditionFailedError if already recorded. */
  recordOutcome(pingId: string, outcome: PingOutcome, detail: Record<string, unknown>, at: string, entry: AuditEntry): Promise<Ping>;
}
