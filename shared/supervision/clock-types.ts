import type { Role } from '#shared/identity/roles.ts';
import { clocks as submissionClocks } from '#shared/submission/deadlines.ts';

/**
 * A statutory clock type (期限类型). A context that starts a clock declares its
 * type once; the watch, the clock list and the bulletin read the declaration
 * and need no change when a new type arrives (issue 14 §1).
 */
export interface ClockType {
  /** The requirement id, also the clock type's key (R6.1, R7.2 …). */
  readonly id: string;
  /** Working days from the start date to the due date. */
  readonly days: number;
  /** Chinese, for emails and lists. */
  readonly label: string;
  /** What the owner must do, Chinese (the email's request). */
  readonly duty: string;
  /** The context that starts and meets it. */
  readonly context: string;
  /** Who in the owner organisation is emailed (roles). */
  readonly ownerRoles: readonly Role[];
}

const declared = new Map<string, ClockType>();

/** Declares a clock type; declaring the same id twice with another definition is a programming error. */
export function declareClockType(type: ClockType): ClockType {
  const existing = declared.get(type.id);
  if (existing && JSON.stringify(existing) !== JSON.stringify(type)) throw new Error(`clock type ${type.id} declared twice with different definitions`);
  declared.set(type.id, type);
  return type;
}

export function clockType(id: string): ClockType | undefined {
  return declared.get(id);
}

export function clockTypes(): ClockType[] {
  return [...declared.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

// The clocks whose events exist today (submission, transfer and catalogue-report contexts).
export const submissionDue = declareClockType({
  id: 'R6.1',
  days: submissionClocks.submission.days,
  label: submissionClocks.submission.label,
  duty: '向组织单位汇交调查监测成果（封存第一个成果包）',
  context: 'submission',
  ownerRoles: ['submitter'],
});
export const resubmissionDue = declareClockType({
  id: 'R7.2',
  days: submissionClocks.resubmission.days,
  label: submissionClocks.resubmission.label,
  duty: '修改被退回的成果并重新汇交',
  context: 'submission',
  ownerRoles: ['submitter'],
});
export const transferDue = declareClockType({
  id: 'R8.1',
  days: submissionClocks.transfer.days,
  label: submissionClocks.transfer.label,
  duty: '将通过核验的成果移交保管单位（以保管单位确认接收为准）',
  context: 'transfer',
  ownerRoles: ['reviewer', 'administrator'],
});
export const catalogueReportDue = declareClockType({
  id: 'R9.1',
  days: 30,
  label: '成果目录上报期限（保管单位接收后 30 个工作日，R9.1）',
  duty: '将新编目的成果目录报送上一级组织单位',
  context: 'catalogue-report',
  ownerRoles: ['custodian'],
});
/** R19.2: the custodian confirms or rejects a reported problem within 10 working days. */
export const problemDecisionDue = declareClockType({
  id: 'R19.2',
  days: 10,
  label: '质量问题确认期限（报告后 10 个工作日，R19.2）',
  duty: '确认或驳回成果使用方报告的质量问题（说明理由）',
  context: 'feedback',
  ownerRoles: ['custodian'],
});
