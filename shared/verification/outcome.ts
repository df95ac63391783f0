import type { DomainMetrics } from '#shared/ports/metrics.ts';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { OutcomePorts } from '#shared/ports/submission.ts';
import type { DocumentStore, VerificationFailureLog } from '#shared/ports/verification.ts';
import type { DeadlineView, Submission, Version } from '#shared/schemas/submission.ts';
import { submissionEntry, timelineEvent } from '#shared/submission/events.ts';
import { markVerified, recordTimelineEvents, returnVersion } from '#shared/submission/outcomes.ts';
import { deliver, orgLabel, systemSignature, userLabel } from '#shared/tasks/mail.ts';
import { escapeHtml } from '#shared/web/html.ts';
import { severityLabels, type Defect } from './defects.ts';
import { reportPageUrl } from './report-page.ts';
import { readReport, reportHtmlKey, reportJsonKey } from './run.ts';
import type { VerificationReport } from './verify-package.ts';

/**
 * The outcomes of a verification round, as the workflow's last steps take
 * them: R7.2 return (by the checks or by the reviewer) with the defects and
 * the 15 WD resubmission clock, or R7.1 verified with the R8.1 15 WD transfer
 * clock. The state change is the submission context's (returnVersion,
 * markVerified: conditional, audited, idempotent); this adds the report and
 * the submitter's email, sent once per outcome even when a step is retried.
 */
export interface OutcomeMailPorts extends OutcomePorts {
  readonly identity: IdentityRepository;
  readonly mailer: Mailer;
  readonly documents: DocumentStore;
  readonly appBaseUrl: string;
  /** Counts the first delivery of each outcome (a retry counts nothing). */
  readonly metrics?: DomainMetrics;
}

/** What the reviewer (or the checks) decided, as the state machine carries it. */
export interface ReviewOutcome {
  readonly decision: 'approve' | 'return';
  readonly reasons: string;
  readonly decidedBy: string;
  /** `checks`: returned by the automated checks, no human decision. */
  readonly source?: 'checks' | 'review';
}

/** Defects listed in the email; the full list is in the report. */
export const defectsInEmail = 50;

function resultName(version: Version, submission: Submission): string {
  return version.catalogue.name || submission.catalogue.name;
}

/** Who hears about a round: the submitters who opened and sealed it. */
async function recipients(identity: IdentityRepository, submission: Submission, version: Version) {
  const ids = [...new Set([version.sealedBy, version.createdBy, submission.createdBy].filter((x): x is string => typeof x === 'string'))];
  const users = await Promise.all(ids.map((id) => identity.getUser(id)));
  return users.filter((u) => u !== undefined);
}

async function alreadyMailed(ports: Pick<OutcomePorts, 'store'>, submissionId: string, n: number, mail: string): Promise<boolean> {
  return (await ports.store.listEvents(submissionId)).some((e) => e.type === 'emailSent' && e.n === n && e.detail['mail'] === mail);
}

/** The report page (a public shell that loads the report once signed in): report.html itself needs a bearer token a mail link cannot carry. */
function reportLink(appBaseUrl: string, submissionId: string, n: number): string {
  return reportPageUrl(appBaseUrl, submissionId, n);
}

function deadlineLine(due: DeadlineView): string {
  return `${due.due}（${due.label}${due.provisional ? '；涉及尚未发布节假日安排的年份，为暂定日期' : ''}）`;
}

function defectLine(d: Defect | { file: string; rule: string; message: string; severity: 'error' | 'warning' }, i: number): string {
  return `${i + 1}. [${severityLabels[d.severity]}] ${d.file || '（整个成果包）'} — ${d.rule}：${d.message}`;
}

export function reasonsOf(review: ReviewOutcome, report: VerificationReport | undefined): string[] {
  if (review.source === 'checks') {
    const errors = report?.summary.errors ?? 0;
    const warnings = report?.summary.warnings ?? 0;
    return [`自动技术核验发现 ${errors} 项错误${warnings > 0 ? `、${warnings} 项警告` : ''}，成果不符合完整性、规范性要求（R7.1），详见问题清单和核验报告。`];
  }
  const lines = review.reasons
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines : ['技术审核未通过。'];
}

/**
 * Return To Submitter.
 *
 * Primary course:
 *  1. the round's report (defects) from the documents bucket;
 *  2. returnVersion: version → returned, submission → returned with the R7.2
 *     due date (return date + 15 WD), audited — a retry changes nothing;
 *  3. the submitters emailed (Chinese): the reasons, the defects, the due
 *     date, where the report is; an `emailSent` event, so a retry does not mail twice.
 */
export async function returnToSubmitter(
  ports: OutcomeMailPorts,
  input: { submissionId: string; n: number; review: ReviewOutcome; requestId: string },
): Promise<{ status: 'returned'; resubmissionDue: string; emailed: string[] }> {
  const report = await readReport(ports.documents, input.submissionId, input.n);
  const reasons = reasonsOf(input.review, report);
  const defects = report?.defects ?? [];
  const result = await returnVersion(ports, {
    submissionId: input.submissionId,
    n: input.n,
    reasons,
    defects,
    decidedBy: input.review.decidedBy,
    ...(report ? { reportKey: reportJsonKey(input.submissionId, input.n) } : {}),
    requestId: input.requestId,
  });
  const due = result.resubmissionDue;
  if (await alreadyMailed(ports, input.submissionId, input.n, 'returned')) return { status: 'returned', resubmissionDue: due.due, emailed: [] };
  ports.metrics?.record('SubmissionsReturned', 1);

  const { submission, version } = result;
  const name = resultName(version, submission);
  const shown = defects.slice(0, defectsInEmail);
  const errors = defects.filter((d) => d.severity === 'error').length;
  const byWhom = input.review.source === 'checks' ? '自动技术核验' : `技术审核（审核人：${await userLabel(ports.identity, input.review.decidedBy)}）`;
  const link = reportLink(ports.appBaseUrl, input.submissionId, input.n);
  const emailed: string[] = [];
  for (const user of await recipients(ports.identity, submission, version)) {
    const text = [
      `${user.name}，您好：`,
      '',
      `贵单位汇交的成果“${name}”（汇交编号 ${input.submissionId}，第 ${input.n} 版）经${byWhom}未通过，现予退回（《自然资源调查监测成果管理办法（试行）》第（七）项）。`,
      '',
      '退回理由：',
      ...reasons.map((r, i) => `  ${i + 1}. ${r}`),
      '',
      defects.length > 0
        ? `问题清单（共 ${defects.length} 项，其中错误 ${errors} 项${defects.length > shown.length ? `；以下列出前 ${shown.length} 项` : ''}）：`
        : '问题清单：自动核验未发现问题。',
      ...shown.map((d, i) => `  ${defectLine(d, i)}`),
      '',
      `请于 ${deadlineLine(due)} 前修改完善，并在同一汇交下提交第 ${input.n + 1} 版重新汇交；重新汇交的成果将再次核验。`,
      `完整核验报告（登录后查看）：${link}`,
      '',
      systemSignature,
    ].join('\n');
    const html = [
      `<p>${escapeHtml(user.name)}，您好：</p>`,
      `<p>贵单位汇交的成果“${escapeHtml(name)}”（汇交编号 <code>${escapeHtml(input.submissionId)}</code>，第 ${input.n} 版）经${escapeHtml(byWhom)}<strong>未通过</strong>，现予退回。</p>`,
      `<p>退回理由：</p><ol>${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ol>`,
      defects.length > 0
        ? `<p>问题清单（共 ${defects.length} 项，其中错误 ${errors} 项）：</p><ol>${shown
            .map((d) => `<li>[${escapeHtml(severityLabels[d.severity])}] <code>${escapeHtml(d.file || '（整个成果包）')}</code> — <code>${escapeHtml(d.rule)}</code>：${escapeHtml(d.message)}</li>`)
            .join('')}</ol>`
        : '<p>自动核验未发现问题。</p>',
      `<p>请于 <strong>${escapeHtml(deadlineLine(due))}</strong> 前修改完善，并在同一汇交下提交第 ${input.n + 1} 版重新汇交。</p>`,
      `<p>完整核验报告（登录后查看）：<a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`,
      `<p style="color:#888">${escapeHtml(systemSignature)}</p>`,
    ].join('\n');
    await deliver(ports.mailer, {
      to: [user.email],
      subject: `【核验退回】${name}（第 ${input.n} 版）未通过技术核验，请于 ${due.due} 前修改后重新汇交`,
      text,
      html,
    });
    emailed.push(user.userId);
  }
  await recordTimelineEvents(ports, {
    submissionId: input.submissionId,
    actor: 'system:ReturnToSubmitter',
    events: [{ type: 'emailSent', n: input.n, detail: { mail: 'returned', to: emailed, defectCount: defects.length, resubmissionDue: due.due } }],
    requestId: input.requestId,
  });
  return { status: 'returned', resubmissionDue: due.due, emailed };
}

/**
 * Mark Verified.
 *
 * Primary course:
 *  1. markVerified: version and submission → verified; R8.1 transfer due =
 *     verification date + 15 WD (none when the implementer is its own custodian);
 *  2. the submitters emailed that the result passed, with the transfer due date.
 */
export async function verifySubmission(
  ports: OutcomeMailPorts,
  input: { submissionId: string; n: number; decidedBy: string; requestId: string },
): Promise<{ status: 'verified'; transferDue: string | null; emailed: string[] }> {
  const report = await readReport(ports.documents, input.submissionId, input.n);
  const result = await markVerified(ports, {
    submissionId: input.submissionId,
    n: input.n,
    decidedBy: input.decidedBy,
    ...(report ? { reportKey: reportJsonKey(input.submissionId, input.n) } : {}),
    requestId: input.requestId,
  });
  const transferDue = result.transferDue;
  if (await alreadyMailed(ports, input.submissionId, input.n, 'verified')) return { status: 'verified', transferDue: transferDue?.due ?? null, emailed: [] };
  ports.metrics?.record('SubmissionsVerified', 1);

  const { submission, version } = result;
  const name = resultName(version, submission);
  const reviewer = await userLabel(ports.identity, input.decidedBy);
  const transferLine = transferDue
    ? `组织单位应于 ${deadlineLine(transferDue)} 前将成果移交保管单位${await orgLabel(ports.identity, submission.custodianOrg)}。`
    : '实施单位即为保管单位，无需移交（R8.1）。';
  const emailed: string[] = [];
  for (const user of await recipients(ports.identity, submission, version)) {
    const text = [
      `${user.name}，您好：`,
      '',
      `贵单位汇交的成果“${name}”（汇交编号 ${input.submissionId}，第 ${input.n} 版）已通过技术核验（R7.1），审核人：${reviewer}${version.decidedAt ? `，通过时间：${chinaDateTime(version.decidedAt)}` : ''}。`,
      transferLine,
      `核验报告（登录后查看）：${reportLink(ports.appBaseUrl, input.submissionId, input.n)}`,
      '',
      systemSignature,
    ].join('\n');
    const html = [
      `<p>${escapeHtml(user.name)}，您好：</p>`,
      `<p>贵单位汇交的成果“${escapeHtml(name)}”（汇交编号 <code>${escapeHtml(input.submissionId)}</code>，第 ${input.n} 版）<strong>已通过技术核验</strong>，审核人：${escapeHtml(reviewer)}。</p>`,
      `<p>${escapeHtml(transferLine)}</p>`,
      `<p style="color:#888">${escapeHtml(systemSignature)}</p>`,
    ].join('\n');
    await deliver(ports.mailer, { to: [user.email], subject: `【核验通过】${name}（第 ${input.n} 版）已通过技术核验`, text, html });
    emailed.push(user.userId);
  }
  await recordTimelineEvents(ports, {
    submissionId: input.submissionId,
    actor: 'system:MarkVerified',
    events: [{ type: 'emailSent', n: input.n, detail: { mail: 'verified', to: emailed, transferDue: transferDue?.due ?? null } }],
    requestId: input.requestId,
  });
  return { status: 'verified', transferDue: transferDue?.due ?? null, emailed };
}

/** The checks finished: the round's verdict on the timeline (the report itself is in the documents bucket). */
export async function recordChecksCompleted(
  ports: Pick<OutcomePorts, 'store' | 'now'>,
  input: { submissionId: string; n: number; passed: boolean; errors: number; warnings: number; files: number; requestId: string },
): Promise<void> {
  await recordTimelineEvents(ports, {
    submissionId: input.submissionId,
    actor: 'system:AssembleReport',
    events: [
      {
        type: 'checksCompleted',
        n: input.n,
        detail: {
          passed: input.passed,
          errors: input.errors,
          warnings: input.warnings,
          files: input.files,
          reportKey: reportJsonKey(input.submissionId, input.n),
          htmlKey: reportHtmlKey(input.submissionId, input.n),
        },
      },
    ],
    requestId: input.requestId,
  });
}

/** Longest failure cause kept (a Lambda error's cause carries a stack trace). */
export const maxCauseChars = 2000;

/**
 * "Verification Failed": the workflow could not finish (a step failed after
 * its retries). The version is recorded verificationFailed with the error —
 * or, when the round already had its outcome (a failure after it, such as
 * the email), only the event — so the failure is visible on the timeline and
 * the version is not left looking busy.
 */
export async function recordVerificationFailure(
  ports: { readonly store: Pick<OutcomePorts['store'], 'getSubmission'>; readonly failures: VerificationFailureLog; readonly now: () => Date },
  input: { submissionId: string; n: number; error: string; cause: string; requestId: string },
): Promise<{ status: 'verificationFailed' | 'outcomeKept' }> {
  const submission = await ports.store.getSubmission(input.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${input.submissionId} 不存在`);
  const at = ports.now().toISOString();
  const cause = input.cause.length > maxCauseChars ? `${input.cause.slice(0, maxCauseChars)}…` : input.cause;
  const actor = 'system:RecordVerificationFailure';
  const changed = await ports.failures.recordFailure(
    {
      submissionId: input.submissionId,
      n: input.n,
      at,
      error: input.error,
      cause,
      event: timelineEvent(input.submissionId, 'verificationFailed', at, actor, { error: input.error, cause }, input.n),
    },
    submissionEntry(actor, submission, 'submission.version.verify.fail', input.requestId, { error: input.error }, input.n),
  );
  return { status: changed ? 'verificationFailed' : 'outcomeKept' };
}
