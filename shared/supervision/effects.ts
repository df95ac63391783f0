import type { DeadlineResult } from '#shared/calendar/calendar.ts';
import type { Submission, SurveyTask } from '#shared/schemas/submission.ts';
import { catalogueReportDue, forestryCopyDue, resubmissionDue, submissionDue, transferDue } from './clock-types.ts';
import type { ClockStart, CountIncrement, SupervisionEffects } from './clocks.ts';

/**
 * The supervision effects of the events that exist today, one function per
 * event, so each domain function adds one line to its audit entry
 * (`withSupervision(entry, effects, at)`). Counter metrics of the bulletin
 * (R21.1) are named here and in shared/supervision/bulletin.ts.
 */
type Effects = Omit<SupervisionEffects, 'at'>;

const start = (type: string, subject: string, ownerOrg: string, regionCode: string, title: string, from: string, d: DeadlineResult): ClockStart => ({
  type,
  subject,
  ownerOrg,
  regionCode,
  title,
  start: from,
  due: d.due,
  provisional: d.provisional,
  basis: d.basis,
});

export const roundSubject = (submissionId: string, n: number) => `${submissionId}#v${n}`;
const regionOf = (s: Pick<Submission, 'catalogue'>) => s.catalogue.spatialScope.regionCode;

/** R6.1 starts (or moves) when the implementer records the completion date. */
export function completionRecorded(task: SurveyTask, completionDate: string, due: DeadlineResult): Effects {
  return { start: [start(submissionDue.id, task.taskId, task.implementerOrg, task.regionCode, task.name, completionDate, due)] };
}

/** A version sealed: R6.1 met (the task's first package); for a resubmission, the R7.2 clock of the returned round. */
export function versionSealed(submission: Pick<Submission, 'taskId' | 'submissionId'>, n: number): Effects {
  return {
    meet: [{ type: submissionDue.id, subject: submission.taskId }, ...(n > 1 ? [{ type: resubmissionDue.id, subject: roundSubject(submission.submissionId, n - 1) }] : [])],
  };
}

/** Resubmitted as held offline (no version to seal): the returned round's R7.2 clock is met. */
export function heldOfflineResubmitted(submissionId: string, previous: number): Effects {
  return { meet: [{ type: resubmissionDue.id, subject: roundSubject(submissionId, previous) }] };
}

/** A verification round returned (R7.2 starts); counters: rounds, returns, returns by defect rule. */
export function roundReturned(submission: Submission, n: number, from: string, due: DeadlineResult, rules: readonly string[]): Effects {
  const org = submission.implementerOrg;
  const count: CountIncrement[] = [
    { org, metric: 'R7.rounds' },
    { org, metric: 'R7.returns' },
    ...(n === 1 ? [{ org, metric: 'R7.firstRounds' }] : []),
    ...[...new Set(rules)].map((rule) => ({ org, metric: `R7.rule.${rule}` })),
  ];
  return { start: [start(resubmissionDue.id, roundSubject(submission.submissionId, n), org, regionOf(submission), submission.catalogue.name, from, due)], count };
}

/** A verification round passed; R8.1 starts when a transfer is due (the organiser owns it). */
export function roundVerified(submission: Submission, n: number, from: string, due: DeadlineResult | undefined): Effects {
  const org = submission.implementerOrg;
  return {
    count: [{ org, metric: 'R7.rounds' }, { org, metric: 'R7.passed' }, ...(n === 1 ? [{ org, metric: 'R7.firstRounds' }, { org, metric: 'R7.firstRoundPass' }] : [])],
    ...(due ? { start: [start(transferDue.id, submission.submissionId, submission.organiserOrg, regionOf(submission), submission.catalogue.name, from, due)] } : {}),
  };
}

/** The custodian's receipt: R8.1 met; R9.1 starts for the result number (the custodian reports its catalogue upward). */
export function transferReceived(submission: Submission, resultNumber: string, receivedOn: string, reportDue: DeadlineResult): Effects {
  return {
    meet: [{ type: transferDue.id, subject: submission.submissionId }],
    start: [start(catalogueReportDue.id, resultNumber, submission.custodianOrg, regionOf(submission), submission.catalogue.name, receivedOn, reportDue)],
    count: [{ org: submission.custodianOrg, metric: 'R8.1.received' }],
  };
}

/** A catalogue report sent upward: the R9.1 clocks of its entries are met. */
export function catalogueReported(custodianOrg: string, resultNumbers: readonly string[]): Effects {
  return { meet: resultNumbers.map((n) => ({ type: catalogueReportDue.id, subject: n })), count: [{ org: custodianOrg, metric: 'R9.1.reports' }] };
}

/**
 * R8.2: the forestry organiser's copy sent to the natural-resources department of its level (counted for the
 * organiser); its clock (owner the forestry organiser, due 30 working days from verification) starts, so the
 * deadline watch reminds before and on the due date and tells the supervisor when it is late.
 */
export function forestryCopySent(submission: Submission, verifiedOn: string, due: DeadlineResult): Effects {
  return {
    count: [{ org: submission.organiserOrg, metric: 'R8.2.sent' }],
    start: [start(forestryCopyDue.id, submission.submissionId, submission.organiserOrg, regionOf(submission), submission.catalogue.name, verifiedOn, due)],
  };
}

/** R8.2: the natural-resources department acknowledged the copy (counted for the forestry organiser, in the month acknowledged); the clock is met. */
export function forestryCopyAcknowledged(submission: Pick<Submission, 'organiserOrg' | 'submissionId'>): Effects {
  return { count: [{ org: submission.organiserOrg, metric: 'R8.2.acknowledged' }], meet: [{ type: forestryCopyDue.id, subject: submission.submissionId }] };
}

/**
 * R10.1: one integrity audit run, counted for every custodian whose copies it
 * checked (`R10.1.audits` +1) with the findings among that custodian's copies
 * (`R10.1.findings`, objects missing or not matching their manifest).
 */
export function integrityAudited(byCustodian: Readonly<Record<string, { readonly findings: number }>>): Effects {
  const count: CountIncrement[] = [];
  for (const [org, { findings }] of Object.entries(byCustodian).sort(([a], [b]) => a.localeCompare(b))) {
    count.push({ org, metric: 'R10.1.audits' });
    if (findings > 0) count.push({ org, metric: 'R10.1.findings', by: findings });
  }
  return { count };
}
