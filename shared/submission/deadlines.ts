import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { isOverdue } from '#shared/calendar/calendar.ts';
import { chinaDate, type IsoDate } from '#shared/calendar/dates.ts';
import type { DeadlineView } from '#shared/schemas/submission.ts';

/** The regulation's clocks this context starts (requirements.md, “Deadlines”). */
export const clocks = {
  submission: { requirement: 'R6.1', days: 30, label: '汇交期限（调查工作完成后 30 个工作日，R6.1）' },
  resubmission: { requirement: 'R7.2', days: 15, label: '修改后重新汇交期限（退回后 15 个工作日，R7.2）' },
  transfer: { requirement: 'R8.1', days: 15, label: '移交保管单位期限（核验通过后 15 个工作日，R8.1）' },
  forestryCopy: { requirement: 'R8.2', days: 30, label: '林草成果副本送同级自然资源主管部门期限（核验通过后 30 个工作日，R8.2；以对方确认接收为准）' },
} as const;
export type ClockKind = keyof typeof clocks;

/**
 * A deadline as every response shows it, computed at read time from the
 * start date and today in China, so that a holiday notice loaded after the
 * clock started takes effect and `workingDaysLeft` is never stale. Once the
 * obligation is met, days left and overdue are judged on the day it was met.
 */
export function deadlineView(calendar: WorkingDayCalendar, kind: ClockKind, start: IsoDate, today: IsoDate, metAt?: string): DeadlineView {
  const clock = clocks[kind];
  const metOn = metAt ? chinaDate(new Date(metAt)) : undefined;
  const status = calendar.deadlineStatus(start, clock.days, today);
  const judged = metOn ?? today;
  return {
    kind,
    requirement: clock.requirement,
    label: clock.label,
    start,
    days: clock.days,
    due: status.due,
    provisional: status.provisional,
    provisionalYears: status.provisionalYears,
    basis: status.basis,
    today,
    workingDaysLeft: metOn ? calendar.workingDaysLeft(status.due, metOn) : status.workingDaysLeft,
    overdue: isOverdue(status.due, judged),
    met: metOn !== undefined,
    ...(metOn ? { metOn } : {}),
  };
}

/** The calendar date in China of an instant (deadlines start on dates, not instants). */
export function chinaDay(instant: string | Date): IsoDate {
  return chinaDate(typeof instant === 'string' ? new Date(instant) : instant);
}
