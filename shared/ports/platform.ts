import type { AuditEntry } from '#shared/ports/audit.ts';

/** Liveness: one cheap read of the registry table. */
export interface HealthProbe {
  /** Resolves with the round-trip time; rejects when the table cannot be read. */
  readRegistry(): Promise<{ ms: number }>;
}

/** When each scheduled job last ran (R20: the deadline watch must provably run). */
export interface ScheduleRunLog {
  /** Writes SCHEDULE#<name>/LAST_RUN and its audit record in one transaction. */
  recordRun(run: { schedule: string; scheduledTime: string; ranAt: string; executionId: string; detail: Record<string, unknown> }, entry: AuditEntry): Promise<{ seq: number }>;
}
