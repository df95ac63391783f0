import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { publicationApprovalDue, publicationReviewDue } from '#shared/supervision/clock-types.ts';
import type { ClockCancel, ClockMeet, ClockStart, CountIncrement, SupervisionEffects } from '#shared/supervision/clocks.ts';
import type { PublicationRequest } from './request-store.ts';

/**
 * The supervision effects of publication's events (issue 15 "around it"): the R11.1 review clock and the R12.1
 * approval clocks (one per approving department) start in the transaction that opens the review / approval and
 * are met in the decision's transaction, so the deadline watch and 期限监督 show them; the bulletin's publication
 * section (R21.1) reads the counters below, written in the same transactions (never a scan).
 *
 * Counters (organiser's organisation, month of the event):
 *   R11.requests        a publication request made (resubmissions are rounds of the same request)
 *   R11.returns         a confidentiality review returned a round (退回修改)
 *   R12.refusals        a request refused (不予发布; a joint approval counts once)
 *   R12.granted         a request approved by every approving department (同意发布)
 *   R12.grantDays       working days from the request to that approval (average = grantDays / granted)
 * and, counted where they happen (shared/publication/publish.ts, adapters/dynamo-downloads.ts): R12.approvals,
 * R11.published, R11.withdrawn, R17.2.downloads.
 */
type Effects = Omit<SupervisionEffects, 'at'>;

/**
 * `withSupervision` (shared/supervision/clocks.ts) without its zod schemas in the publication bundles: the audit
 * entry carries the effects, the adapter adds their clock and counter items to the same transaction.
 */
export function withEffects(entry: AuditEntry, effects: Effects, at: string): AuditEntry {
  return { ...entry, detail: { ...(entry.detail ?? {}), supervision: { at, ...effects } } };
}

export const publicationMetric = {
  requests: 'R11.requests',
  returns: 'R11.returns',
  refusals: 'R12.refusals',
  granted: 'R12.granted',
  grantDays: 'R12.grantDays',
} as const;

export const reviewClockSubject = (requestId: string, round: number) => `${requestId}#r${round}`;
export const approvalClockSubject = (requestId: string, round: number, approver: number) => `${requestId}#r${round}#a${approver}`;

const title = (r: Pick<PublicationRequest, 'releaseNumber'>) => `发布版本 ${r.releaseNumber}`;

function startClock(type: { id: string; days: number }, subject: string, ownerOrg: string, r: PublicationRequest, calendar: WorkingDayCalendar, at: string): ClockStart {
  const today = chinaDate(new Date(at));
  const d = calendar.deadline(today, type.days);
  return { type: type.id, subject, ownerOrg, regionCode: r.regionCode, title: title(r), start: today, due: d.due, provisional: d.provisional, basis: d.basis };
}

/** The review of round `r.round` is opened (a request, or a resubmission): R11.1 starts for the organiser. */
export function reviewOpened(r: PublicationRequest, calendar: WorkingDayCalendar, at: string, first: boolean): Effects {
  return {
    start: [startClock(publicationReviewDue, reviewClockSubject(r.requestId, r.round), r.organiserOrg, r, calendar, at)],
    ...(first ? { count: [{ org: r.organiserOrg, metric: publicationMetric.requests }] } : {}),
  };
}

/** The review decided: R11.1 met; 审查通过 starts R12.1 for each approving department; 退回修改 is counted. */
export function reviewDecided(r: PublicationRequest, round: number, passed: boolean, calendar: WorkingDayCalendar, at: string): Effects {
  return {
    meet: [{ type: publicationReviewDue.id, subject: reviewClockSubject(r.requestId, round) }],
    ...(passed
      ? { start: r.approvals.map((a, i) => startClock(publicationApprovalDue, approvalClockSubject(r.requestId, round, i), a.orgCode, r, calendar, at)) }
      : { count: [{ org: r.organiserOrg, metric: publicationMetric.returns }] }),
  };
}

/**
 * One department decided: its R12.1 clock is met. When the request ends by a refusal, the other departments'
 * still-running clocks are cancelled (their duty ended with the request without their decision: recorded
 * cancelled, counted neither on time nor late, shown 已取消) and the refusal counted;
 * when every department has approved, the approval and its working days since the request are counted.
 */
export function approvalDecided(
  r: PublicationRequest,
  round: number,
  approver: number,
  outcome: 'refused' | 'granted' | 'waiting',
  calendar: WorkingDayCalendar,
  at: string,
): Effects {
  const meet: ClockMeet[] = [{ type: publicationApprovalDue.id, subject: approvalClockSubject(r.requestId, round, approver) }];
  const cancel: ClockCancel[] = [];
  const count: CountIncrement[] = [];
  if (outcome === 'refused') {
    const by = r.approvals[approver]?.orgCode ?? '';
    r.approvals.forEach((_, i) => i !== approver && cancel.push({ type: publicationApprovalDue.id, subject: approvalClockSubject(r.requestId, round, i), reason: `${by} 不予发布，本次发布申请已结束，无需再审批` }));
    count.push({ org: r.organiserOrg, metric: publicationMetric.refusals });
  }
  if (outcome === 'granted') {
    const days = Math.max(0, calendar.countWorkingDays(chinaDate(new Date(r.requestedAt)), chinaDate(new Date(at))));
    count.push({ org: r.organiserOrg, metric: publicationMetric.granted }, { org: r.organiserOrg, metric: publicationMetric.grantDays, by: days });
  }
  return { meet, ...(cancel.length ? { cancel } : {}), ...(count.length ? { count } : {}) };
}
