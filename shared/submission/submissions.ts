import { withSupervision } from '#shared/supervision/clocks.ts';
import { heldOfflineResubmitted } from '#shared/supervision/effects.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { classificationLabels, isClassified } from '#shared/reference/classifications.ts';
import { regionCovers } from '#shared/identity/scope.ts';
import { regionValidAt } from '#shared/reference/region-history.ts';
import type { CorrectionOrders, SubmissionPorts } from '#shared/ports/submission.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import {
  sharingModeLabels,
  submissionStatusLabels,
  versionStatusLabels,
  type Catalogue,
  type CatalogueInput,
  type DeadlineView,
  type ManifestFile,
  type Submission,
  type SurveyTask,
  type TimelineEvent,
  type Version,
  type VersionFile,
} from '#shared/schemas/submission.ts';
import { requireImplementerSubmitter, requireSubmissionRead } from './access.ts';
import { chinaDay, deadlineView } from './deadlines.ts';
import { submissionEntry, timelineEvent } from './events.ts';
import { versionPrefix } from './manifest.ts';
import { taskView, type SurveyTaskView } from './tasks.ts';
import { uploadPlan } from './upload-plan.ts';

export interface VersionView extends Omit<Version, 'manifestId'> {
  readonly statusLabel: string;
  /** Where the version's objects live in the uploads bucket. */
  readonly keyPrefix: string;
}

export interface SubmissionView extends Submission {
  readonly statusLabel: string;
  readonly classificationLabel: string;
  readonly sharingModeLabel: string;
  /** R7.2 for each returned round, R8.1 once verified; computed today. */
  readonly deadlines: DeadlineView[];
  readonly versions: VersionView[];
}

export function versionView(v: Version): VersionView {
  const { manifestId: _m, ...rest } = v;
  return { ...rest, statusLabel: versionStatusLabels[v.status], keyPrefix: versionPrefix(v.submissionId, v.n) };
}

/**
 * The clocks a submission's rounds started: R7.2 from each return (met when
 * the next version is sealed), R8.1 from verification when a transfer is due
 * (met by the transfer, which the custody context records), and R8.2 from
 * verification when the organiser is a forestry/grassland department — the
 * timeline then holds `forestryCopySent`; met when the natural-resources
 * department acknowledges the copy (`forestryCopyAcknowledged`, approved).
 */
export function roundDeadlines(calendar: WorkingDayCalendar, submission: Submission, versions: readonly Version[], today: string, events: readonly TimelineEvent[] = []): DeadlineView[] {
  const out: DeadlineView[] = [];
  const byN = new Map(versions.map((v) => [v.n, v]));
  for (const v of [...versions].sort((a, b) => a.n - b.n)) {
    if (v.decision === 'returned' && v.decidedAt) {
      out.push(deadlineView(calendar, 'resubmission', chinaDay(v.decidedAt), today, byN.get(v.n + 1)?.sealedAt));
    }
  }
  if (submission.verifiedAt && submission.transferRequired) {
    // transferredAt is written with the receipt; a submission received before that field existed has only
    // the custodyReceived event on its timeline, which says the same.
    const received = events.find((e) => e.type === 'custodyReceived' && (e.n ?? 1) === submission.currentVersion)?.detail['receivedAt'];
    out.push(deadlineView(calendar, 'transfer', chinaDay(submission.verifiedAt), today, submission.transferredAt ?? (typeof received === 'string' ? received : undefined)));
  }
  if (submission.verifiedAt && events.some((e) => e.type === 'forestryCopySent')) {
    const acknowledged = events.find((e) => e.type === 'forestryCopyAcknowledged' && (e.detail['decision'] ?? 'approve') === 'approve');
    out.push(deadlineView(calendar, 'forestryCopy', chinaDay(submission.verifiedAt), today, acknowledged?.at));
  }
  return out;
}

export function submissionView(submission: Submission, versions: readonly Version[], calendar: WorkingDayCalendar, today: string, events: readonly TimelineEvent[] = []): SubmissionView {
  return {
    ...submission,
    // After the custodian's receipt the result is in custody; the status stays `verified` (the transfer adds no state).
    statusLabel:
      submission.status === 'verified' && (submission.transferredAt || events.some((e) => e.type === 'custodyReceived' && (e.n ?? 1) === submission.currentVersion))
        ? '核验通过，已由保管单位接收入库'
        : submissionStatusLabels[submission.status],
    classificationLabel: classificationLabels[submission.classification],
    sharingModeLabel: sharingModeLabels[submission.catalogue.sharingMode],
    deadlines: roundDeadlines(calendar, submission, versions, today, events),
    versions: [...versions].sort((a, b) => a.n - b.n).map(versionView),
  };
}

/** R9.2 fields checked against the task: the custodian is the task's (R4.1), the scope lies in the task's region. */
function settleCatalogue(input: CatalogueInput, task: Pick<SurveyTask, 'custodianOrg' | 'regionCode'>, field: string): Catalogue {
  const issues: FieldIssue[] = [];
  if (input.custodian && input.custodian !== task.custodianOrg) {
    issues.push({
      field: `${field}.custodian`,
      code: 'CUSTODIAN_MISMATCH',
      message: `保管单位 ${input.custodian} 与任务登记的保管单位 ${task.custodianOrg} 不一致（R4.1：保管单位由组织部门指定）`,
    });
  }
  // Issue 12: the code in force at the result's time point (a code changed since is still the right one for it).
  const atTime = regionValidAt(input.spatialScope.regionCode, input.timePoint);
  if (!atTime.valid) {
    issues.push({ field: `${field}.spatialScope.regionCode`, code: atTime.code, message: atTime.message });
  } else if (!regionCovers(task.regionCode, input.spatialScope.regionCode)) {
    issues.push({
      field: `${field}.spatialScope.regionCode`,
      code: 'OUTSIDE_TASK_REGION',
      message: `空间范围 ${input.spatialScope.regionCode} 不在任务的调查区域 ${task.regionCode} 内`,
    });
  }
  const first = issues[0];
  if (first) throw new ValidationError(`请求参数有误：${first.field} ${first.message}`, issues);
  return { ...input, custodian: task.custodianOrg };
}

export function fileItems(submissionId: string, n: number, manifestId: string, files: readonly ManifestFile[]): VersionFile[] {
  return files.map((f) => {
    const plan = uploadPlan(f.size);
    return {
      submissionId,
      n,
      manifestId,
      path: f.path,
      size: f.size,
      sha256: f.sha256,
      role: f.role,
      upload: plan.kind,
      ...(plan.kind === 'multipart' ? { partSize: plan.partSize, partCount: plan.partCount } : {}),
    };
  });
}

function totals(files: readonly ManifestFile[]): { fileCount: number; totalBytes: number } {
  return { fileCount: files.length, totalBytes: files.reduce((s, f) => s + f.size, 0) };
}

/** R5.1, Chinese: why a classified package is not uploaded and what happens instead. */
export function heldOfflineReason(catalogue: Catalogue): string {
  return (
    `该成果密级为“${classificationLabels[catalogue.classification]}”。按《自然资源调查监测成果管理办法（试行）》及保密规定，` +
    `涉密成果（秘密及以上）不得上传至云存储：系统已登记本次汇交的目录信息和文件清单概要，成果本身请按保密要求以离线介质向组织部门汇交，由保管单位（${catalogue.custodian}）离线保管。`
  );
}

export type OpenResult =
  | { readonly outcome: 'opened'; readonly submission: SubmissionView }
  | { readonly outcome: 'heldOffline'; readonly submission: SubmissionView; readonly code: 'CLASSIFIED_HELD_OFFLINE'; readonly message: string };

/**
 * The implementer opens a submission (汇交) for a task with the R9.2
 * catalogue fields and the manifest of v1.
 *
 * Primary course:
 *  1. the task exists; the caller is a submitter of its implementer (R6.1);
 *  2. the completion date is recorded (the R6.1 clock must be running);
 *  3. the catalogue names the task's custodian and a scope in the task's region;
 *  4. classified (秘密 and above, R5.1): the submission is recorded as held
 *     offline by the custodian with a summary of the manifest, no version and
 *     no upload URLs — the caller gets the explanation;
 *  5. otherwise the submission and v1 (open) with one item per file and the
 *     upload plan of each (single PUT or multipart) are stored, audited.
 */
export async function openSubmission(
  cmd: { actor: Principal; taskId: string; catalogue: CatalogueInput; files: ManifestFile[]; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'calendar' | 'now' | 'newId'>,
): Promise<OpenResult> {
  const task = await ports.store.getTask(cmd.taskId);
  if (!task) throw new NotFoundError(`调查监测任务 ${cmd.taskId} 不存在`);
  requireImplementerSubmitter(cmd.actor, task, '为该任务汇交成果');
  if (!task.completionDate) {
    throw new ConflictError('COMPLETION_NOT_RECORDED', '请先登记调查工作完成日期（PUT /survey-tasks/{taskId}/completion），汇交期限自该日起算（R6.1）');
  }
  const catalogue = settleCatalogue(cmd.catalogue, task, 'body.catalogue');
  const at = ports.now().toISOString();
  const submissionId = ports.newId();
  const { fileCount, totalBytes } = totals(cmd.files);
  const base: Submission = {
    submissionId,
    taskId: task.taskId,
    organiserOrg: task.organiserOrg,
    implementerOrg: task.implementerOrg,
    custodianOrg: task.custodianOrg,
    theme: task.theme,
    status: 'uploading',
    currentVersion: 1,
    catalogue,
    classification: catalogue.classification,
    createdAt: at,
    createdBy: cmd.actor.userId,
  };
  const opened = timelineEvent(submissionId, 'submissionOpened', at, cmd.actor.userId, { taskId: task.taskId, name: catalogue.name, classification: catalogue.classification });
  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());

  if (isClassified(catalogue.classification)) {
    const reason = heldOfflineReason(catalogue);
    const submission: Submission = {
      ...base,
      status: 'heldOffline',
      currentVersion: 0,
      heldOffline: { recordedAt: at, recordedBy: cmd.actor.userId, reason, fileCount, totalBytes },
    };
    await ports.store.createSubmission(
      {
        submission,
        files: [],
        events: [opened, timelineEvent(submissionId, 'heldOffline', at, cmd.actor.userId, { classification: catalogue.classification, custodian: catalogue.custodian, fileCount, totalBytes })],
      },
      submissionEntry(cmd.actor, submission, 'submission.open.heldOffline', cmd.requestId, {
        taskId: task.taskId,
        classification: catalogue.classification,
        custodian: catalogue.custodian,
        fileCount,
        totalBytes,
      }),
    );
    return { outcome: 'heldOffline', submission: submissionView(submission, [], calendar, today), code: 'CLASSIFIED_HELD_OFFLINE', message: reason };
  }

  const manifestId = ports.newId();
  const version: Version = { submissionId, n: 1, status: 'open', manifestId, fileCount, totalBytes, catalogue, createdAt: at, createdBy: cmd.actor.userId };
  await ports.store.createSubmission(
    {
      submission: base,
      version,
      files: fileItems(submissionId, 1, manifestId, cmd.files),
      events: [opened, timelineEvent(submissionId, 'versionOpened', at, cmd.actor.userId, { fileCount, totalBytes }, 1)],
    },
    submissionEntry(cmd.actor, base, 'submission.open', cmd.requestId, { taskId: task.taskId, classification: catalogue.classification, fileCount, totalBytes }, 1),
  );
  return { outcome: 'opened', submission: submissionView(base, [version], calendar, today) };
}

function notReturned(s: Submission): ConflictError {
  const n = s.currentVersion;
  const why: Record<Submission['status'], string> = {
    uploading: `第 ${n} 版尚未封存，请继续上传并完成该版本`,
    verifying: `第 ${n} 版正在核验，核验退回后才能提交新版本`,
    verified: `第 ${n} 版已核验通过，无需重新汇交（组织单位责令改正质量问题后方可提交更正版本，R19.3）`,
    heldOffline: '该成果为涉密成果，已登记为离线保管，不能在线提交新版本',
    returned: '',
  };
  return new ConflictError('VERSION_NOT_RETURNED', `只有在最新版本被退回后才能提交新版本（R7.2）：${why[s.status]}`);
}

/**
 * The resubmission after a return (R7.2), or the correction ordered after a
 * major quality problem (R19.3): the next version of the same submission,
 * uploaded and verified again through the normal path.
 *
 * Primary course:
 *  1. the caller is a submitter of the implementer;
 *  2. the latest version was returned (R7.2) — or the submission is verified
 *     and the organiser has an open order to correct its result (R19.3: the
 *     problems in state correcting; else 409 VERSION_NOT_RETURNED);
 *  3. a catalogue may come with it (a return may be about R9.2 fields); a
 *     catalogue that is now classified records the submission as held
 *     offline (a correction cannot: 409 CORRECTION_CLASSIFIED);
 *  4. the version is stored open with its file items; a correction carries
 *     the problems it corrects (`correctionOf`), which move to
 *     correctionSubmitted in the same audited transaction. A returned
 *     correction's next version carries them on.
 */
export async function createNextVersion(
  cmd: { actor: Principal; submissionId: string; catalogue?: CatalogueInput; files: ManifestFile[]; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'calendar' | 'now' | 'newId'> & { corrections?: CorrectionOrders },
): Promise<OpenResult> {
  const submission = await ports.store.getSubmission(cmd.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${cmd.submissionId} 不存在`);
  requireImplementerSubmitter(cmd.actor, submission, '提交新版本');
  const orders = ports.corrections && (submission.status === 'verified' || submission.status === 'returned') ? await ports.corrections.openOrders(submission.submissionId) : [];
  const correcting = submission.status === 'verified' ? orders.filter((p) => p.state === 'correcting') : [];
  if (submission.status !== 'returned' && correcting.length === 0) throw notReturned(submission);
  const task = await ports.store.getTask(submission.taskId);
  if (!task) throw new NotFoundError(`汇交所属的调查监测任务 ${submission.taskId} 不存在`);
  const catalogue = cmd.catalogue ? settleCatalogue(cmd.catalogue, task, 'body.catalogue') : submission.catalogue;
  const at = ports.now().toISOString();
  const previous = submission.currentVersion;
  const n = previous + 1;
  const { fileCount, totalBytes } = totals(cmd.files);
  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());

  if (isClassified(catalogue.classification)) {
    if (correcting.length > 0) {
      throw new ConflictError('CORRECTION_CLASSIFIED', `更正版本不能改为涉密（${classificationLabels[catalogue.classification]}）：已入库的成果须按原密级在线更正；如需定密请先与组织单位办理（R5.1）`);
    }
    const reason = heldOfflineReason(catalogue);
    const heldOffline = { recordedAt: at, recordedBy: cmd.actor.userId, reason, fileCount, totalBytes };
    await ports.store.holdOffline(
      {
        submissionId: submission.submissionId,
        previous,
        catalogue,
        heldOffline,
        events: [timelineEvent(submission.submissionId, 'heldOffline', at, cmd.actor.userId, { classification: catalogue.classification, custodian: catalogue.custodian, fileCount, totalBytes })],
      },
      withSupervision(
        submissionEntry(cmd.actor, submission, 'submission.version.heldOffline', cmd.requestId, { classification: catalogue.classification, fileCount, totalBytes }),
        heldOfflineResubmitted(submission.submissionId, previous),
        at,
      ),
    );
    const updated: Submission = { ...submission, status: 'heldOffline', catalogue, classification: catalogue.classification, heldOffline };
    return {
      outcome: 'heldOffline',
      submission: submissionView(updated, await ports.store.listVersions(submission.submissionId), calendar, today),
      code: 'CLASSIFIED_HELD_OFFLINE',
      message: reason,
    };
  }

  // R19.3: a correction opened now, or a returned correction's next round (its problems follow the new version).
  const carried = submission.status === 'returned' ? orders.filter((p) => p.state === 'correctionSubmitted' && p.correction?.submissionId === submission.submissionId) : [];
  const moved = [...correcting, ...carried];
  const correctionOf = moved.map((p) => p.problemId).sort();
  const note = correcting.length > 0 ? `实施单位提交更正版本（汇交 ${submission.submissionId} 第 ${n} 版），按正常流程上传与核验` : `更正版本退回后重新提交（第 ${n} 版）`;
  const problems = moved.map((p) => ({
    from: p.state,
    problem: {
      ...p,
      state: 'correctionSubmitted' as const,
      correction: { submissionId: submission.submissionId, n, openedAt: at, openedBy: cmd.actor.userId },
      timeline: [...p.timeline, { state: 'correctionSubmitted' as const, at, by: cmd.actor.userId, byName: cmd.actor.name, note }],
    },
  }));
  const manifestId = ports.newId();
  const version: Version = {
    submissionId: submission.submissionId,
    n,
    status: 'open',
    manifestId,
    fileCount,
    totalBytes,
    catalogue,
    createdAt: at,
    createdBy: cmd.actor.userId,
    ...(correctionOf.length > 0 ? { correctionOf } : {}),
  };
  const detail = { fileCount, totalBytes, ...(correcting.length > 0 ? { correctionOf, requirement: 'R19.3' } : { resubmissionOf: previous }), ...(carried.length > 0 ? { correctionOf } : {}) };
  await ports.store.createVersion(
    {
      submissionId: submission.submissionId,
      previous,
      version,
      files: fileItems(submission.submissionId, n, manifestId, cmd.files),
      events: [timelineEvent(submission.submissionId, 'versionOpened', at, cmd.actor.userId, detail, n)],
      ...(correcting.length > 0 ? { from: 'verified' as const } : {}),
      ...(problems.length > 0 ? { problems } : {}),
    },
    submissionEntry(cmd.actor, submission, correcting.length > 0 ? 'submission.version.correction.open' : 'submission.version.open', cmd.requestId, { previous, fileCount, totalBytes, ...(correctionOf.length > 0 ? { correctionOf, requirement: 'R19.3' } : {}) }, n),
  );
  const updated: Submission = { ...submission, status: 'uploading', currentVersion: n, catalogue, classification: catalogue.classification };
  return { outcome: 'opened', submission: submissionView(updated, await ports.store.listVersions(submission.submissionId), calendar, today) };
}

/** A submission with its rounds and deadlines, and its task's R6.1 deadline. */
export async function getSubmission(
  cmd: { actor: Principal; submissionId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now'>,
): Promise<{ submission: SubmissionView; task: SurveyTaskView | null }> {
  const submission = await ports.store.getSubmission(cmd.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${cmd.submissionId} 不存在`);
  await requireSubmissionRead(ports.identity, cmd.actor, submission, '该汇交', () => ports.store.getTask(submission.taskId));
  const [versions, task, calendar, events] = await Promise.all([
    ports.store.listVersions(submission.submissionId),
    ports.store.getTask(submission.taskId),
    ports.calendar(),
    ports.store.listEvents(submission.submissionId),
  ]);
  const today = chinaDay(ports.now());
  return { submission: submissionView(submission, versions, calendar, today, events), task: task ? taskView(task, calendar, today) : null };
}
