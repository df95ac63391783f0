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
/** R8.2: a forestry/grassland organiser's verified result provided to the natural-resources department of its level (met by that department's acknowledgement). */
export const forestryCopyDue = declareClockType({
  id: 'R8.2',
  days: 30,
  label: '林草成果副本提供期限（核验通过后 30 个工作日，R8.2）',
  duty: '将通过核验的林草成果同时提供给同级自然资源主管部门（以对方确认接收为准）',
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

/**
 * A self-inspection to file (R20.1): opened for each custodian and requesting department at the start of a
 * period by the schedule SelfInspectionReminders, due on the period's last day, met by the filing; the watch
 * reminds the unit before and on the due date and tells its supervisor when it is late (days: 0, not computed).
 */
export const selfInspectionDue = declareClockType({
  id: 'R20.1',
  days: 0,
  label: '保密自查报告填报期限（每期最后一天，R20.1）',
  duty: '开展保密自查（存储、访问控制、介质管理、人员培训）并填报自查报告',
  context: 'supervision',
  ownerRoles: ['custodian', 'requester'],
});

/** A rectification item of a self-inspection (R20.1): due on the day the unit set when it filed (days: 0, not computed). */
export const rectificationDue = declareClockType({
  id: 'R20.1.rect',
  days: 0,
  label: '保密自查整改期限（自查报告确定，R20.1）',
  duty: '完成保密自查发现问题的整改，并在系统中关闭该整改事项',
  context: 'supervision',
  ownerRoles: ['custodian', 'requester'],
});

// Issue 16: the organiser's review of an online sharing application. The regulation sets no number of days;
// 10 working days is this system's service target (README, 共享), watched like the statutory clocks.
export const sharingReviewDue = declareClockType({
  id: 'R15.1',
  days: 10,
  label: '共享申请审核期限（提交后 10 个工作日，本系统服务时限，R15.1）',
  duty: '审核需求部门的共享申请：同意共享（可附条件）或不予共享并说明理由',
  context: 'sharing',
  ownerRoles: ['reviewer'],
});

// Publication (issue 15): the confidentiality review and the approval are human tasks of 5 working days
// (shared/tasks/human-tasks.ts decisionWorkingDays), escalated one level up when unanswered.
export const publicationReviewDue = declareClockType({
  id: 'R11.1',
  days: 5,
  label: '发布版本保密审查期限（送审后 5 个工作日）',
  duty: '对发布版本的脱密脱敏记录、核验报告和文件清单作出保密审查结论（审查通过或退回修改）',
  context: 'publication',
  ownerRoles: ['publisher'],
});
export const publicationApprovalDue = declareClockType({
  id: 'R12.1',
  days: 5,
  label: '成果发布审批期限（保密审查通过后 5 个工作日）',
  duty: '按发布审批权限表作出发布审批决定（同意发布或不予发布）',
  context: 'publication',
  ownerRoles: ['publisher'],
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

// Issue 16, offline (R17.1): an approved offline review waits for each custodian's hand-over. The regulation sets no
// number of days; 10 working days from the approval is this system's service target, watched like the statutory clocks.
export const sharingHandoverDue = declareClockType({
  id: 'R17.1',
  days: 10,
  label: '离线共享交接期限（同意后 10 个工作日，本系统服务时限）',
  duty: '按审批函（任务单）离线交接成果并登记交接记录',
  context: 'sharing',
  ownerRoles: ['custodian'],
});

/**
 * R16.3: a public application (further use of a published result, or a government-information disclosure
 * application) is answered within 20 working days of its receipt (the day its email is verified); extendable
 * once by 20 working days with the reason recorded (the clock moves to the new due date).
 */
export const publicApplicationDue = declareClockType({
  id: 'R16.3',
  days: 20,
  label: '公众申请答复期限（收到申请后 20 个工作日，可延长一次 20 个工作日，R16.3）',
  duty: '答复公众的成果利用或政府信息公开申请（予以提供、部分提供或不予提供并说明法律依据）',
  context: 'sharing',
  ownerRoles: ['reviewer'],
});

/**
 * R19.1 (issue 17): a requester's use report (利用情况报告) under a sharing grant, due at the end of the period
 * (or on the date the organiser set at approval) and on each anniversary of a long grant; started when the grant
 * is created, met when the report is filed; the watch reminds the requester before and on the due date and tells
 * its supervisor when it is late (days: 0, not computed).
 */
export const useReportDue = declareClockType({
  id: 'R19.1',
  days: 0,
  label: '成果利用情况报告期限（使用期限届满或组织单位确定之日，R19.1）',
  duty: '向组织单位和保管单位报送共享成果的利用情况（应用方式、项目、成效、问题）',
  context: 'sharing',
  ownerRoles: ['requester'],
});

// Issue 16 (R13.1): processing on request — the date the custodian and the requester agreed in the system
// (the custodian's proposal, the requester's acceptance); met when the product is delivered (days: 0, not computed).
export const processingDue = declareClockType({
  id: 'R13.1',
  days: 0,
  label: '按需加工交付期限（商定之日，R13.1）',
  duty: '按商定的方案完成加工并在系统中交付',
  context: 'sharing',
  ownerRoles: ['custodian'],
});
