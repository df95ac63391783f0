import { createHash } from 'node:crypto';
import { addCalendarDays, daysInMonth, epochDayOf, fromEpochDay } from '#shared/calendar/dates.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import type { ClockStart } from '#shared/supervision/clocks.ts';
import { useReportDue } from '#shared/supervision/clock-types.ts';
import type { GrantNotice, SharingGrant, UseReportSlot } from './model.ts';

/**
 * Purpose binding (R18.1) and the use-report schedule (R19.1) of a grant —
 * pure functions; the grant's creation (./sharing.ts grantAccess) writes the
 * notice and starts the clocks in its own transaction.
 */

/** The name the notice is saved under, and its path in the BagIt manifest (data/用途声明.txt). */
export const noticeFileName = '用途声明.txt';
/** Documents-bucket key of a grant's notice: written once when the grant is created. */
export const noticeKey = (grantId: string) => `sharing/${grantId}/${noticeFileName}`;

/**
 * The 用途声明 (R18.1): grant number, requester, purpose, scope, period,
 * classification and the ban on passing it on. The same bytes for the same
 * grant (no clock in it), so a retried Grant Access writes the same object.
 * `requester` is the organisation as a reader knows it, name and code already
 * (named(): 广东省水利厅（440000-WR）) — the code is not added again.
 */
export function noticeText(g: Pick<SharingGrant, 'grantId' | 'applicationId' | 'requesterOrg' | 'resultNumbers' | 'purpose' | 'scope' | 'from' | 'to' | 'classification'>, requester: string): string {
  return [
    '用途声明（随共享成果提供，R18.1）',
    '',
    `授权编号：${g.grantId}`,
    `申请编号：${g.applicationId}`,
    `使用单位：${requester}`,
    `共享成果：${g.resultNumbers.join('、')}`,
    `用途：${g.purpose}`,
    `使用范围：${g.scope}`,
    `使用期限：${g.from} 至 ${g.to}`,
    `密级：${classificationLabels[g.classification]}`,
    '',
    '本成果仅限上述用途和使用范围内由授权使用人使用，不得向第三方提供或转让；',
    '其他单位需要使用的，应自行向组织单位申请。变更用途须重新申请。',
    '使用期限届满或授权撤销后，应停止使用并删除本地副本；应按期报送成果利用情况（R19.1）。',
    '',
  ].join('\n');
}

export function noticeOf(grantId: string, text: string): GrantNotice {
  const bytes = Buffer.from(text, 'utf8');
  return { path: noticeFileName, key: noticeKey(grantId), size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** `date` + `years` calendar years, the day clamped to the month (29 Feb → 28 Feb). */
function plusYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return fromEpochDay(epochDayOf(y + years, m, Math.min(d, daysInMonth(y + years, m))));
}

/**
 * The use reports due under a grant (R19.1): one at the end of the period —
 * or on the date the organiser set at approval — and, for a grant longer than
 * a year, one on the last day of each full year of use before that.
 */
export function useReportSlots(from: string, to: string, organiserDue?: string): UseReportSlot[] {
  const end = organiserDue ?? to;
  const slots: UseReportSlot[] = [];
  for (let k = 1; ; k++) {
    const yearly = addCalendarDays(plusYears(from, k), -1);
    if (yearly >= end) break;
    slots.push({ due: yearly, kind: 'yearly' });
  }
  slots.push({ due: end, kind: 'end' });
  return slots;
}

export const useReportSubject = (grantId: string, due: string) => `${grantId}#${due}`;

/** The R19.1 clocks of a grant's use reports, owned by the requester organisation. */
export function useReportClocks(g: Pick<SharingGrant, 'grantId' | 'requesterOrg' | 'resultNumbers'>, slots: readonly UseReportSlot[], today: string, organiserSet: boolean): ClockStart[] {
  return slots.map((s) => ({
    type: useReportDue.id,
    subject: useReportSubject(g.grantId, s.due),
    ownerOrg: g.requesterOrg,
    regionCode: g.requesterOrg.slice(0, 6),
    title: `共享授权 ${g.grantId} 的利用情况报告（${g.resultNumbers.join('、')}）`,
    start: today,
    due: s.due,
    provisional: false,
    basis: s.kind === 'yearly' ? '使用期限超过一年：每满一年报送一次' : organiserSet ? '组织单位审批时确定的应交日期' : '使用期限届满之日',
  }));
}
