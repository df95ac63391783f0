import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Submission, TimelineEvent, TimelineEventType } from '#shared/schemas/submission.ts';

/** A timeline event (EV#… item), written in the same audited transaction as the change it records. */
export function timelineEvent(
  submissionId: string,
  type: TimelineEventType,
  at: string,
  actor: string,
  detail: Record<string, unknown> = {},
  n?: number,
): TimelineEvent {
  return { submissionId, at, type, actor, ...(n !== undefined ? { n } : {}), detail };
}

/**
 * The audit entry of a submission-context action. Actions taken by the
 * workflow (`system:<function>`) are recorded under the organiser, whose
 * verification it is (R7.1).
 */
export function submissionEntry(
  actor: { userId: string; orgCode: string } | string,
  submission: Pick<Submission, 'submissionId' | 'organiserOrg'>,
  action: string,
  requestId: string,
  detail: Record<string, unknown>,
  n?: number,
): AuditEntry {
  const who = typeof actor === 'string' ? { userId: actor, orgCode: submission.organiserOrg } : actor;
  return {
    actor: who.userId,
    orgCode: who.orgCode,
    action,
    target: n === undefined ? `SUB#${submission.submissionId}` : `SUB#${submission.submissionId}/V#${n}`,
    outcome: 'success',
    requestId,
    detail,
  };
}
