import * as z from 'zod/mini';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { NotFoundError } from '#shared/errors.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { OutcomePorts } from '#shared/ports/submission.ts';
import type { HumanTask, HumanTaskStore, HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import { versionStatusLabels, type Submission, type TimelineEventType, type Version } from '#shared/schemas/submission.ts';
import { markAwaitingReview, recordTimelineEvents } from '#shared/submission/outcomes.ts';
import type { HumanTaskEventType, HumanTaskKind } from '#shared/tasks/kinds.ts';
import { formatBytes, reportMapSvg } from './report-html.ts';
import { reportPagePath } from './report-page.ts';
import { themeProfiles } from '#shared/reference/themes.ts';
import { readReport } from './run.ts';
import { submissionRecord, verificationParticipants } from '#shared/submission/access.ts';
import { checkOverDissent, countersignOpinions } from './countersign-opinions.ts';
import { arrangementAt } from '#shared/submission/arrangement.ts';

/**
 * The technical review (技术审核, R7.1) as a human-task kind: the organiser's
 * reviewers decide, after the automated checks passed, whether a sealed
 * version is verified or returned. The task's history goes to the
 * submission's timeline.
 */
export const technicalReviewKindId = 'technicalReview';

export const reviewSubjectSchema = z.object({ submissionId: z.string().check(z.minLength(1)), n: z.number().check(z.int()).check(z.gte(1)) });
export type ReviewSubject = z.infer<typeof reviewSubjectSchema>;

/** Defects shown on the task page; the full list is in the report. */
export const defectsOnPage = 200;

export interface ReviewKindPorts extends OutcomePorts {
  readonly identity: IdentityRepository;
  readonly documents: DocumentStore;
  /** The countersign tasks given before the review (R7.1). */
  readonly humanTasks: Pick<HumanTaskStore, 'listBySubject'>;
}

/** What a reviewer (or a countersigning unit) sees of a round: the package, the version and the report's summary. */
export async function reviewSummary(ports: ReviewKindPorts, submission: Submission, version: Version, n: number) {
  const { submissionId } = submission;
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  const [report, surveyTask] = await Promise.all([readReport(ports.documents, submissionId, n), ports.store.getTask(submission.taskId)]);
  const base = `/submissions/${submissionId}/versions/${n}`;
  return {
    kind: technicalReviewKindId,
    submission: {
      submissionId,
      name: version.catalogue.name,
      taskId: submission.taskId,
      taskName: surveyTask?.name ?? '',
      theme: submission.theme,
      themeLabel: themeProfiles[submission.theme].label,
      regionCode: version.catalogue.spatialScope.regionCode,
      // The verification report names the region (GB/T 2260) — the task bundles carry no region table (issue 10).
      regionName: report?.region.name ?? version.catalogue.spatialScope.regionCode,
      classificationLabel: classificationLabels[submission.classification],
      organiserOrg: submission.organiserOrg,
      implementerOrg: submission.implementerOrg,
      implementerName: await orgName(submission.implementerOrg),
      custodianOrg: submission.custodianOrg,
    },
    version: {
      n,
      status: version.status,
      statusLabel: versionStatusLabels[version.status],
      fileCount: version.fileCount,
      totalBytes: version.totalBytes,
      totalSize: formatBytes(version.totalBytes),
      ...(version.sealedAt ? { sealedAt: version.sealedAt, sealedAtLabel: chinaDateTime(version.sealedAt) } : {}),
    },
    report: report
      ? {
          passed: report.passed,
          checkedAt: report.checkedAt,
          checkedAtLabel: chinaDateTime(report.checkedAt),
          profileLabel: report.profile.label,
          regionName: report.region.name,
          summary: report.summary,
          defectCount: report.defects.length,
          defects: report.defects.slice(0, defectsOnPage),
          jsonPath: `${base}/report`,
          htmlPath: `${base}/report.html`,
          pagePath: reportPagePath(submissionId, n),
          mapSvg: reportMapSvg(report),
        }
      : null,
  };
}

const timelineTypes: Partial<Record<HumanTaskEventType, TimelineEventType>> = {
  emailSent: 'emailSent',
  reminderSent: 'reminderSent',
  escalated: 'escalated',
};

export function technicalReviewKind(ports: ReviewKindPorts): HumanTaskKind<typeof technicalReviewKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { submissionId, n } = reviewSubjectSchema.parse(subject);
    const submission = await ports.store.getSubmission(submissionId);
    if (!submission) throw new NotFoundError(`汇交 ${submissionId} 不存在`);
    const version = await ports.store.getVersion(submissionId, n);
    if (!version) throw new NotFoundError(`汇交 ${submissionId} 没有第 ${n} 版`);
    return { submissionId, n, submission, version };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;

  return {
    kind: technicalReviewKindId,
    label: '成果技术审核',
    role: 'reviewer',

    async protects(subject) {
      const { submissionId } = reviewSubjectSchema.parse(subject);
      const submission = await ports.store.getSubmission(submissionId);
      return submission ? submissionRecord(submission) : undefined;
    },

    async describe(subject) {
      const { submissionId, n, submission, version } = await load(subject);
      const [report, surveyTask] = await Promise.all([readReport(ports.documents, submissionId, n), ports.store.getTask(submission.taskId)]);
      const correction = version.correctionOf?.length ? `（更正版本）` : '';
      return {
        title: `成果技术审核：${version.catalogue.name}（第 ${n} 版）${correction}`,
        // R7.1: the technical unit the organiser assigned the review to (in force when the round was sealed), else the organiser's own reviewers.
        assigneeOrg: arrangementAt(surveyTask, version.sealedAt).reviewOrg ?? submission.organiserOrg,
        details: [
          `汇交编号：${submissionId}`,
          ...(version.correctionOf?.length
            ? [`更正版本：本版是组织单位责令改正重大质量问题（${version.correctionOf.join('、')}）后提交的更正，核验通过并移交入库后替换现行版本，原版本保留（R19.3）`]
            : []),
          `汇交单位：${await orgName(submission.implementerOrg)}`,
          `成果专题：${themeProfiles[submission.theme].label}`,
          `成果包：${version.fileCount} 个文件，共 ${formatBytes(version.totalBytes)}`,
          ...(version.sealedAt ? [`封存时间：${chinaDateTime(version.sealedAt)}`] : []),
          report
            ? `自动核验：${report.passed ? '通过' : '不通过'}（错误 ${report.summary.errors} 项，警告 ${report.summary.warnings} 项）`
            : '自动核验：报告尚未生成',
        ],
      };
    },

    async opened(task) {
      const { submissionId, n, version } = await load(task.subject);
      // An escalated round finds the version already awaiting review: the new task goes on the timeline only.
      if (version.status === 'awaitingReview' && version.reviewTaskId !== task.id) {
        await recordTimelineEvents(ports, {
          submissionId,
          actor: 'system:CreateHumanTask',
          events: [{ type: 'reviewRequested', n, detail: { reviewTaskId: task.id, escalationLevel: task.escalationLevel, replaces: task.replaces ?? null, due: task.due } }],
        });
        return;
      }
      await markAwaitingReview(ports, { submissionId, n, reviewTaskId: task.id, actor: 'system:CreateHumanTask' });
    },

    async record(task: HumanTask, events, requestId) {
      const { submissionId, n } = reviewSubjectSchema.parse(task.subject);
      const mapped = events.flatMap((e) => {
        const type = timelineTypes[e.type];
        return type ? [{ type, n, detail: { ...e.detail } }] : [];
      });
      if (mapped.length === 0) return;
      await recordTimelineEvents(ports, { submissionId, actor: 'system:HumanTasks', events: mapped, requestId });
    },

    async summary(task) {
      const { n, submission, version } = await load(task.subject);
      const arrangement = arrangementAt(await ports.store.getTask(submission.taskId), version.sealedAt);
      return {
        ...(await reviewSummary(ports, submission, version, n)),
        reviewOrg: arrangement.reviewOrg ?? submission.organiserOrg,
        countersign: await countersignOpinions(ports, submission, arrangement, n),
      };
    },

    // R7.1: the survey task's technical units and custodian read the review task (never decide it).
    async readers(subject) {
      const { submissionId } = reviewSubjectSchema.parse(subject);
      const submission = await ports.store.getSubmission(submissionId);
      if (!submission) return [];
      return [...verificationParticipants(await ports.store.getTask(submission.taskId)), submission.custodianOrg];
    },

    async checkDecision(task, decision) {
      const { n, submission, version } = await load(task.subject);
      checkOverDissent(await countersignOpinions(ports, submission, arrangementAt(await ports.store.getTask(submission.taskId), version.sealedAt), n), decision);
    },
  };
}
