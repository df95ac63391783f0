import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { addCalendarDays, chinaDate, toEpochDay } from '#shared/calendar/dates.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import type { User } from '#shared/schemas/identity.ts';
import { regionName } from '#shared/reference/regions.ts';
import { clockType } from './clock-types.ts';
import type { Clock } from './clocks.ts';

/** Default reminder days before the due date (working days), configurable per deployment. */
export const defaultReminderDays: readonly number[] = [5, 1];

export type NoticeKind = 'reminder' | 'dueToday' | 'overdue' | 'overdueWeekly';

export interface Notice {
  readonly kind: NoticeKind;
  /** Working days left (reminder) or overdue (negative). */
  readonly workingDaysLeft: number;
  /** The owner's supervisor is told too (the day it becomes overdue). */
  readonly toSupervisor: boolean;
}

/**
 * What the watch says about one running clock today (issue 14 §1):
 * N working days before (on working days only, so a weekend does not repeat
 * Friday's reminder), on the due date, the first day it is found overdue (the
 * owner and the owner's supervisor), then once a week while overdue.
 */
export function noticeFor(clock: Clock, today: string, calendar: WorkingDayCalendar, reminderDays: readonly number[] = defaultReminderDays): Notice | undefined {
  if (clock.state !== 'running') return undefined;
  const left = calendar.workingDaysLeft(clock.due, today);
  if (clock.due > today) {
    return calendar.isWorkingDay(today) && reminderDays.includes(left) ? { kind: 'reminder', workingDaysLeft: left, toSupervisor: false } : undefined;
  }
  if (clock.due === today) return { kind: 'dueToday', workingDaysLeft: 0, toSupervisor: false };
  if (!clock.overdueSince) return { kind: 'overdue', workingDaysLeft: left, toSupervisor: true };
  const last = clock.lastOverdueNotice ?? clock.overdueSince;
  return toEpochDay(today) - toEpochDay(last) >= 7 ? { kind: 'overdueWeekly', workingDaysLeft: left, toSupervisor: false } : undefined;
}

const kindLabels: Record<NoticeKind, string> = {
  reminder: '期限提醒',
  dueToday: '今日到期',
  overdue: '已逾期',
  overdueWeekly: '逾期未办（每周提醒）',
};

/** The email of one notice, Chinese first. */
export function noticeMail(clock: Clock, notice: Notice, ownerName: string, forSupervisor: boolean): { subject: string; text: string } {
  const type = clockType(clock.type);
  const label = type?.label ?? clock.type;
  const when =
    notice.kind === 'reminder'
      ? `距期限还有 ${notice.workingDaysLeft} 个工作日`
      : notice.kind === 'dueToday'
        ? '今天是期限的最后一天'
        : `已逾期 ${-notice.workingDaysLeft} 个工作日（自 ${addCalendarDays(clock.due, 1)} 起）`;
  const subject = `【${kindLabels[notice.kind]}】${forSupervisor ? `${ownerName}：` : ''}${clock.title}（${clock.type}，期限 ${clock.due}）`;
  const text = [
    forSupervisor ? `监督提示：${ownerName} 的以下法定期限已逾期，请督促办理。` : `${ownerName}：`,
    '',
    `事项：${clock.title}`,
    `期限类型：${label}`,
    `应办事项：${type?.duty ?? '按规定办理'}`,
    `起算日：${clock.start}　期限：${clock.due}${clock.provisional ? '（暂定：该年度国务院节假日安排尚未发布）' : ''}`,
    `地区：${regionName(clock.regionCode) ?? clock.regionCode}`,
    `状态：${when}`,
    '',
    `计算依据：${clock.basis}`,
  ].join('\n');
  return { subject, text };
}

export interface WatchPorts {
  readonly clocks: ClockStore;
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'listUsers'>;
  readonly mailer: Mailer;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly reminderDays?: readonly number[];
}

export interface WatchResult {
  readonly today: string;
  /** Clocks the due-date index returned (due within the horizon or overdue). */
  readonly checked: number;
  readonly notified: number;
  /** Notices already sent today by an earlier run. */
  readonly alreadySent: number;
  readonly emails: number;
}

/** The supervisor of an organisation: the nearest organisation above it with users holding the supervisor role. */
async function supervisorsAbove(identity: WatchPorts['identity'], orgCode: string): Promise<{ org: string; users: User[] } | undefined> {
  let code = (await identity.getOrganisation(orgCode))?.parentCode;
  for (let depth = 0; code && depth < 6; depth += 1) {
    const users = (await identity.listUsers(code)).filter((u) => u.roles.includes('supervisor'));
    if (users.length > 0) return { org: code, users };
    code = (await identity.getOrganisation(code))?.parentCode;
  }
  return undefined;
}

/**
 * The morning watch (schedule DailyDeadlineWatch).
 *
 * Primary course:
 *  1. today in China; the horizon is the largest reminder day counted forward;
 *  2. ONE key query on the due-date index: running clocks due by the horizon
 *     (overdue ones included) — clocks due later are never read;
 *  3. per clock, the notice of the day (noticeFor); none → next clock;
 *  4. the notice is claimed (CLOCK#…/NOTICE#<day>, write-once, audited) —
 *     a second run the same day finds it claimed and sends nothing;
 *  5. the owner organisation's users in the type's roles are emailed; on the
 *     first overdue day, the owner's supervisor too.
 */
export async function runDeadlineWatch(ports: WatchPorts, run: { executionId: string }): Promise<WatchResult> {
  const today = chinaDate(ports.now());
  const calendar = await ports.calendar();
  const reminderDays = ports.reminderDays ?? defaultReminderDays;
  const horizon = calendar.addWorkingDays(today, Math.max(1, ...reminderDays));
  const clocks = await ports.clocks.dueBy(horizon);
  let notified = 0;
  let alreadySent = 0;
  let emails = 0;
  for (const clock of clocks) {
    const notice = noticeFor(clock, today, calendar, reminderDays);
    if (!notice) continue;
    const overdue = notice.kind === 'overdue' || notice.kind === 'overdueWeekly';
    const claimed = await ports.clocks.claimNotice(
      clock,
      today,
      overdue ? { ...(clock.overdueSince ? {} : { overdueSince: today }), lastOverdueNotice: today } : {},
      {
        actor: 'system:DeadlineWatch',
        orgCode: clock.ownerOrg,
        action: 'supervision.clock.notice',
        target: `CLOCK#${clock.clockId}`,
        outcome: 'success',
        requestId: run.executionId,
        detail: { kind: notice.kind, due: clock.due, day: today, workingDaysLeft: notice.workingDaysLeft, toSupervisor: notice.toSupervisor },
      },
    );
    if (!claimed) {
      alreadySent += 1;
      continue;
    }
    notified += 1;
    const owner = await ports.identity.getOrganisation(clock.ownerOrg);
    const ownerName = owner?.name ?? clock.ownerOrg;
    const roles = clockType(clock.type)?.ownerRoles ?? [];
    const ownerUsers = (await ports.identity.listUsers(clock.ownerOrg)).filter((u) => roles.length === 0 || u.roles.some((r) => roles.includes(r)));
    if (ownerUsers.length > 0) {
      await ports.mailer.send({ to: ownerUsers.map((u) => u.email), ...noticeMail(clock, notice, ownerName, false) });
      emails += 1;
    }
    if (notice.toSupervisor) {
      const sup = await supervisorsAbove(ports.identity, clock.ownerOrg);
      if (sup) {
        await ports.mailer.send({ to: sup.users.map((u) => u.email), ...noticeMail(clock, notice, ownerName, true) });
        emails += 1;
      }
    }
  }
  return { today, checked: clocks.length, notified, alreadySent, emails };
}
