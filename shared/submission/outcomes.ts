import { withSupervision, type SupervisionEffects } from '#shared/supervision/clocks.ts';
import { roundReturned, roundVerified } from '#shared/supervision/effects.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { OutcomePorts, SubmissionOutcomeStore } from '#shared/ports/submission.ts';
import type { DeadlineView, DefectView, Submission, TimelineEvent, TimelineEventType, Version } from '#shared/schemas/submission.ts';
import { chinaDay, clocks, deadlineView } from './deadlines.ts';
import { VersionStateChangedError } from './errors.ts';
import { submissionEntry, timelineEvent } from './events.ts';

/**
 * The outcomes of verification, called by the verification workflow (its
 * Lambda steps and the human-task decision). Each is a conditional,
 * audited transition and idempotent: a retried step finds the outcome
 * recorded and changes nothing.
 */

/** Defects kept on the version item (an item holds at most 400 KB); the full list is in the report. */
export const defectsKeptOnVersion = 100;

/** The version states a decision can be taken from. */
const deciding: ReadonlySet<Version['status']> = new Set(['sealed', 'verifying', 'awaitingReview']);

export interface OutcomeResult {
  readonly submission: Submission;
  readonly version: Version;
  /** False when the outcome was already recorded (a retry). */
  readonly changed: boolean;
}

async function load(store: SubmissionOutcomeStore, submissionId: string, n: number): Promise<{ submission: Submission; version: Version }> {
  const submission = await store.getSubmission(submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
  const version = await store.getVersion(submissionId, n);
  if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
  return { submission, version };
}

function alreadyDecided(version: Version): ConflictError {
  return new ConflictError(
    'VERSION_ALREADY_DECIDED',
    version.status === 'open'
      ? `第 ${version.n} 版尚未封存，不能作出核验结论`
      : `第 ${version.n} 版已有核验结论（${version.status === 'verified' ? '通过' : '退回'}），不能更改`,
  );
}

/**
 * Runs a transition; when its condition fails because a concurrent retry
 * recorded the same outcome, that counts as done (idempotent), else 409.
 */
async function transition(
  store: SubmissionOutcomeStore,
  submissionId: string,
  n: number,
  target: Version['status'],
  write: () => Promise<void>,
): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (!(error instanceof VersionStateChangedError)) throw error;
    const now = await store.getVersion(submissionId, n);
    if (now?.status === target) return false;
    if (now) throw alreadyDecided(now);
    throw error;
  }
}

/**
 * R7.2: a failed verification (by the automated checks or the reviewer) is
 * fed back; the submitter has 15 WD from the return to resubmit as the next
 * version.
 *
 * Primary course:
 *  1. the version is sealed/verifying/awaitingReview (already returned → no-op);
 *  2. the resubmission due date = return date (China) + 15 WD;
 *  3. version → returned with reasons, the first defects and the report key;
 *     the submission → returned with the due date; a `returned` event; one
 *     audited transaction.
 */
export async function returnVersion(
  ports: OutcomePorts,
  input: {
    submissionId: string;
    n: number;
    reasons: string[];
    defects: readonly DefectView[];
    decidedBy: string;
    reportKey?: string;
    requestId?: string;
  },
): Promise<OutcomeResult & { resubmissionDue: DeadlineView }> {
  const { submission, version } = await load(ports.store, input.submissionId, input.n);
  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());
  if (version.status === 'returned') {
    const start = chinaDay(version.decidedAt ?? submission.returnedAt ?? ports.now());
    return { submission, version, changed: false, resubmissionDue: deadlineView(calendar, 'resubmission', start, today) };
  }
  if (!deciding.has(version.status)) throw alreadyDecided(version);

  const at = ports.now().toISOString();
  const start = chinaDay(at);
  const deadline = calendar.deadline(start, clocks.resubmission.days);
  const due = deadline.due;
  const defects = input.defects.slice(0, defectsKeptOnVersion).map((d) => ({ file: d.file, rule: d.rule, message: d.message, severity: d.severity }));
  const errors = input.defects.filter((d) => d.severity === 'error').length;
  const changed = await transition(ports.store, input.submissionId, input.n, 'returned', () =>
    ports.store.recordReturn(
      {
        submissionId: input.submissionId,
        n: input.n,
        at,
        decidedBy: input.decidedBy,
        reasons: input.reasons,
        defects,
        defectCount: input.defects.length,
        ...(input.reportKey ? { reportKey: input.reportKey } : {}),
        resubmissionDue: due,
        events: [
          timelineEvent(
            input.submissionId,
            'returned',
            at,
            input.decidedBy,
            { reasons: input.reasons, defectCount: input.defects.length, errors, resubmissionDue: due, ...(input.reportKey ? { reportKey: input.reportKey } : {}) },
            input.n,
          ),
        ],
      },
      withSupervision(
        submissionEntry(input.decidedBy, submission, 'submission.version.return', input.requestId ?? `${input.submissionId}-v${input.n}`, {
          reasons: input.reasons,
          defectCount: input.defects.length,
          resubmissionDue: due,
        }, input.n),
        roundReturned(submission, input.n, start, deadline, input.defects.filter((d) => d.severity === 'error').map((d) => d.rule)),
        at,
      ),
    ),
  );
  const after = await load(ports.store, input.submissionId, input.n);
  return { ...after, changed, resubmissionDue: deadlineView(calendar, 'resubmission', chinaDay(after.version.decidedAt ?? at), today) };
}

/**
 * Verification passed (R7.1). R8.1: the organiser transfers the result to the
 * custodian within 15 WD — unless the implementer is its own custodian, when
 * no transfer is due.
 */
export async function markVerified(
  ports: OutcomePorts,
  input: { submissionId: string; n: number; decidedBy: string; reportKey?: string; requestId?: string },
): Promise<OutcomeResult & { transferDue: DeadlineView | null }> {
  const { submission, version } = await load(ports.store, input.submissionId, input.n);
  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());
  const transferRequired = submission.implementerOrg !== submission.custodianOrg;
  const view = (s: Submission) => (s.transferRequired && s.verifiedAt ? deadlineView(calendar, 'transfer', chinaDay(s.verifiedAt), today, s.transferredAt) : null);
  if (version.status === 'verified') return { submission, version, changed: false, transferDue: view(submission) };
  if (!deciding.has(version.status)) throw alreadyDecided(version);

  const at = ports.now().toISOString();
  const deadline = transferRequired ? calendar.deadline(chinaDay(at), clocks.transfer.days) : undefined;
  const due = deadline?.due;
  const changed = await transition(ports.store, input.submissionId, input.n, 'verified', () =>
    ports.store.recordVerified(
      {
        submissionId: input.submissionId,
        n: input.n,
        at,
        decidedBy: input.decidedBy,
        ...(input.reportKey ? { reportKey: input.reportKey } : {}),
        ...(due ? { transferDue: due } : {}),
        transferRequired,
        events: [
          timelineEvent(input.submissionId, 'verified', at, input.decidedBy, { transferRequired, ...(due ? { transferDue: due } : {}) }, input.n),
        ],
      },
      withSupervision(
        submissionEntry(input.decidedBy, submission, 'submission.version.verify', input.requestId ?? `${input.submissionId}-v${input.n}`, {
          transferRequired,
          transferDue: due ?? null,
        }, input.n),
        roundVerified(submission, input.n, chinaDay(at), deadline),
        at,
      ),
    ),
  );
  const after = await load(ports.store, input.submissionId, input.n);
  return { ...after, changed, transferDue: view(after.submission) };
}

/** The automated checks passed; a human technical review is pending (the human task's id). */
export async function markAwaitingReview(
  ports: OutcomePorts,
  input: { submissionId: string; n: number; reviewTaskId: string; actor: string; requestId?: string },
): Promise<OutcomeResult> {
  const { submission, version } = await load(ports.store, input.submissionId, input.n);
  if (version.status === 'awaitingReview' && version.reviewTaskId === input.reviewTaskId) return { submission, version, changed: false };
  if (version.status !== 'sealed' && version.status !== 'verifying') throw alreadyDecided(version);
  const at = ports.now().toISOString();
  const changed = await transition(ports.store, input.submissionId, input.n, 'awaitingReview', () =>
    ports.store.recordAwaitingReview(
      {
        submissionId: input.submissionId,
        n: input.n,
        reviewTaskId: input.reviewTaskId,
        at,
        events: [timelineEvent(input.submissionId, 'reviewRequested', at, input.actor, { reviewTaskId: input.reviewTaskId }, input.n)],
      },
      submissionEntry(input.actor, submission, 'submission.version.review.request', input.requestId ?? `${input.submissionId}-v${input.n}`, { reviewTaskId: input.reviewTaskId }, input.n),
    ),
  );
  return { ...(await load(ports.store, input.submissionId, input.n)), changed };
}

/**
 * Appends timeline events that change no state — checks completed, emails
 * sent, reminders, escalations — with their audit record.
 */
export async function recordTimelineEvents(
  ports: Pick<OutcomePorts, 'store' | 'now'>,
  input: {
    submissionId: string;
    actor: string;
    events: ReadonlyArray<{ type: TimelineEventType; n?: number; detail: Record<string, unknown> }>;
    requestId?: string;
    /** The bulletin's counters (and clocks) these events move, written in the same transaction (issue 14 §2). */
    supervision?: (submission: Submission) => Omit<SupervisionEffects, 'at'>;
  },
): Promise<TimelineEvent[]> {
  const submission = await ports.store.getSubmission(input.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${input.submissionId} 不存在`);
  const at = ports.now().toISOString();
  const events = input.events.map((e) => timelineEvent(input.submissionId, e.type, at, input.actor, e.detail, e.n));
  const entry = submissionEntry(input.actor, submission, 'submission.timeline.append', input.requestId ?? input.submissionId, { types: events.map((e) => e.type) });
  await ports.store.appendEvents(input.submissionId, events, input.supervision ? withSupervision(entry, input.supervision(submission), at) : entry);
  return events;
}
