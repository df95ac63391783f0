import { chinaNoon, toEpochDay } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { SubmissionPorts } from '#shared/ports/submission.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { timelineEventLabels, timelineEventTypes, type DeadlineView, type TimelineEventType } from '#shared/schemas/submission.ts';
import { requireSubmissionRead } from './access.ts';
import { chinaDay, deadlineView } from './deadlines.ts';
import { roundDeadlines } from './submissions.ts';

export interface TimelineEntry {
  /** ISO 8601 instant; a deadline sits at the end of its due day in China. */
  readonly at: string;
  readonly type: TimelineEventType | 'deadline';
  /** 中文 */
  readonly label: string;
  readonly actor?: string;
  readonly n?: number;
  readonly detail?: Record<string, unknown>;
  readonly deadline?: DeadlineView;
}

/** The last instant of a China calendar day: 23:59:59.999 at UTC+8. */
function endOfChinaDay(date: string): string {
  return new Date(chinaNoon(toEpochDay(date)).getTime() + 12 * 3_600_000 - 1).toISOString();
}

/**
 * A submission's history in time order: versions opened, URL issuance and
 * uploads, seals, checks, decisions and emails (the EV# items written with
 * each change), and the deadlines its rounds run under — R6.1 from the
 * task's completion date, R7.2 after each return, R8.1 after verification —
 * placed at the end of their due day, with days left computed today.
 */
export async function getTimeline(
  cmd: { actor: Principal; submissionId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now'>,
): Promise<{ submissionId: string; entries: TimelineEntry[] }> {
  const submission = await ports.store.getSubmission(cmd.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${cmd.submissionId} 不存在`);
  await requireSubmissionRead(ports.identity, cmd.actor, submission, '该汇交的时间线');
  const [events, versions, task, calendar] = await Promise.all([
    ports.store.listEvents(submission.submissionId),
    ports.store.listVersions(submission.submissionId),
    ports.store.getTask(submission.taskId),
    ports.calendar(),
  ]);
  const today = chinaDay(ports.now());
  const entries: TimelineEntry[] = events.map((e) => ({
    at: e.at,
    type: e.type,
    label: timelineEventLabels[e.type],
    actor: e.actor,
    ...(e.n !== undefined ? { n: e.n } : {}),
    detail: e.detail,
  }));
  const deadlines: DeadlineView[] = [
    ...(task?.completionDate ? [deadlineView(calendar, 'submission', task.completionDate, today, submission.firstSealedAt)] : []),
    ...roundDeadlines(calendar, submission, versions, today, events),
  ];
  for (const d of deadlines) entries.push({ at: endOfChinaDay(d.due), type: 'deadline', label: d.label, deadline: d });
  // Events of one instant (a frozen clock, or two writes in the same millisecond) follow the workflow's own order.
  const rank = (t: TimelineEntry['type']) => (t === 'deadline' ? timelineEventTypes.length : timelineEventTypes.indexOf(t));
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank(a.type) - rank(b.type)));
  return { submissionId: submission.submissionId, entries };
}
