import { completionRecorded } from '#shared/supervision/effects.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { findOverlaps, overlapHint } from '#shared/catalogue/catalogue.ts';
import { regionCovers } from '#shared/identity/scope.ts';
import { regionName, regionBoxFor } from '#shared/reference/regions.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Overlap } from '#shared/schemas/catalogue.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Page, SubmissionPorts } from '#shared/ports/submission.ts';
import type { Organisation, Principal } from '#shared/schemas/identity.ts';
import { submissionStatusLabels, type DeadlineView, type Submission, type SurveyTask } from '#shared/schemas/submission.ts';
import type { SurveyTaskInput } from '#shared/schemas/survey-task-input.ts';
import { ownRulesCategories, type ThemeId, themeProfiles } from '#shared/reference/themes.ts';
import { isSameOrAbove, requireImplementerSubmitter, requireTaskRead, submissionRecord } from './access.ts';
import { noteListed, visibleTo } from '#shared/security/access.ts';
import { chinaDay, clocks, deadlineView } from './deadlines.ts';
import { arrangementIssues } from './arrangement.ts';
import type { ReviewArrangementInput } from '#shared/schemas/review-arrangement.ts';

/** The organisation types that organise surveys (R6.1 “whoever organises, receives”). */
export const organiserTypes: readonly Organisation['type'][] = ['naturalResources', 'forestryGrassland'];

export function followsOwnRules(theme: ThemeId): boolean {
  return (ownRulesCategories as readonly string[]).includes(theme);
}

export interface SurveyTaskView extends SurveyTask {
  readonly themeLabel: string;
  /** R6.1; null until the implementer records the completion date. */
  readonly deadline: DeadlineView | null;
  /** R22.1, Chinese: present when the theme follows its own rules. */
  readonly ownRulesNote?: string;
}

export function taskView(task: SurveyTask, calendar: WorkingDayCalendar, today: string): SurveyTaskView {
  return {
    ...task,
    themeLabel: themeProfiles[task.theme].label,
    deadline: task.completionDate ? deadlineView(calendar, 'submission', task.completionDate, today, task.submittedAt) : null,
    ...(task.followsOwnRules
      ? {
          ownRulesNote: `“${themeProfiles[task.theme].label}”属于测绘成果、重要地理信息、地质或海洋等另有规定的类别（R22.1）：本系统登记并标记，核验时按其专门规定放宽坐标与范围检查，移交、发布和共享须另行遵守相应规定`,
        }
      : {}),
  };
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code: 'INVALID', message }]);
}

function taskEntry(actor: Principal, action: string, taskId: string, requestId: string, detail: Record<string, unknown>): AuditEntry {
  return { actor: actor.userId, orgCode: actor.orgCode, action, target: `TASK#${taskId}`, outcome: 'success', requestId, detail };
}

/**
 * An organiser registers a survey task (调查监测任务).
 *
 * Primary course:
 *  1. the caller is a reviewer or administrator of a natural-resources or
 *     forestry-and-grassland department — that department is the organiser;
 *  2. the region is a GB/T 2260 code of a known province (or 100000) inside
 *     the organiser's own jurisdiction (R3.1);
 *  3. the custodian is the one named, or else the organiser's standing
 *     custodian for the theme (R4.1, PUT /orgs/{code}/designations); none →
 *     400 naming body.custodianOrg; the organiser's technical units (R7.1)
 *     are recorded on the task, with who decides the technical review
 *     (`reviewOrg`: one of them; default the organiser) and who countersigns
 *     first (`countersignOrgs`: technical units or the custodian) — anyone
 *     else → 400 NOT_DESIGNATED naming the field;
 *     implementer and custodian are registered, active organisations that can act
 *     so (a requester department cannot) in the task's region: their own
 *     region contains it, or they are national (R3.1);
 *  4. the task is stored with its audit record; R22.1 themes are marked.
 */
export async function registerSurveyTask(
  cmd: { actor: Principal; input: SurveyTaskInput; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now' | 'newId'>,
): Promise<SurveyTaskView> {
  const { actor, input } = cmd;
  if (!actor.roles.includes('reviewer') && !actor.roles.includes('administrator')) {
    throw new ForbiddenError('无权登记调查监测任务：需要“技术审核人”或“系统管理员”角色');
  }
  const organiser = await ports.identity.getOrganisation(actor.orgCode);
  if (!organiser || !organiserTypes.includes(organiser.type)) {
    throw new ForbiddenError(`无权登记调查监测任务：只有自然资源或林业和草原主管部门可以组织调查监测，您所在单位（${actor.orgCode}）不是`);
  }

  const issues: FieldIssue[] = [];
  // R4.1: the organiser's standing custodian for the theme, unless the task names one.
  const custodianOrg = input.custodianOrg ?? organiser.custodians?.[input.theme];
  if (custodianOrg === undefined) {
    issues.push({
      field: 'body.custodianOrg',
      code: 'NO_CUSTODIAN',
      message: `未填写保管单位，且 ${organiser.name} 未设定“${themeProfiles[input.theme].label}”的常设保管单位（系统管理员可用 PUT /orgs/${organiser.code}/designations 设定）`,
    });
  }
  if (!regionBoxFor(input.regionCode)) {
    issues.push({ field: 'body.regionCode', code: 'UNKNOWN_REGION', message: `行政区划代码 ${input.regionCode} 不属于任何已知的省级行政区（GB/T 2260）` });
  } else if (!regionCovers(organiser.regionCode, input.regionCode)) {
    issues.push({ field: 'body.regionCode', code: 'OUTSIDE_JURISDICTION', message: `调查区域 ${input.regionCode} 不在组织单位 ${organiser.name}（${organiser.regionCode}）的辖区内` });
  }
  for (const [field, code, label] of [
    ['implementerOrg', input.implementerOrg, '实施单位'],
    ['custodianOrg', custodianOrg, '保管单位'],
  ] as const) {
    if (code === undefined) continue;
    const org = await ports.identity.getOrganisation(code);
    if (!org) issues.push({ field: `body.${field}`, code: 'UNKNOWN_ORG', message: `${label} ${code} 未在系统中登记` });
    else if (org.deactivatedAt) issues.push({ field: `body.${field}`, code: 'ORG_INACTIVE', message: `${org.name}（${code}）已停用，不能担任${label}` });
    else if (org.type === 'requester') issues.push({ field: `body.${field}`, code: 'ORG_TYPE', message: `${org.name}（${code}）是需求部门，不能作为${label}` });
    // R3.1: a unit acts in its own region — a national unit anywhere, a provincial one in its province.
    else if (!regionCovers(org.regionCode, input.regionCode)) {
      issues.push({
        field: `body.${field}`,
        code: 'OUTSIDE_REGION',
        message: `${org.name}（${code}，${regionName(org.regionCode)}）不能在调查区域 ${regionName(input.regionCode)}（${input.regionCode}）担任${label}：其所在行政区不包含该区域`,
      });
    }
  }
  // R7.1: who takes part in the technical review — only the organiser's designated technical units and the task's custodian.
  const countersignOrgs = [...new Set(input.countersignOrgs ?? [])];
  issues.push(...arrangementIssues(organiser, custodianOrg, input.reviewOrg, countersignOrgs));
  // R11.1 level-by-level: the parent is a same-theme task of an organiser one or more levels above, its region containing this one.
  let parent: SurveyTask | undefined;
  if (input.parentTaskId) {
    parent = await ports.store.getTask(input.parentTaskId);
    const parentOrganiser = parent ? await ports.identity.getOrganisation(parent.organiserOrg) : undefined;
    const message = !parent
      ? `上级调查监测任务 ${input.parentTaskId} 不存在`
      : parent.theme !== input.theme
        ? `上级任务“${parent.name}”的专题与本任务不同`
        : !parentOrganiser || (levelRank[parentOrganiser.level] ?? 0) >= (levelRank[organiser.level] ?? 0)
          ? `上级任务“${parent.name}”的组织单位不在 ${organiser.name} 的上一级`
          : !regionCovers(parent.regionCode, input.regionCode)
            ? `上级任务“${parent.name}”的调查区域（${parent.regionCode}）不包含本任务的区域 ${input.regionCode}`
            : undefined;
    if (message) issues.push({ field: 'body.parentTaskId', code: 'PARENT_TASK', message });
  }
  const first = issues[0];
  if (first || custodianOrg === undefined) throw new ValidationError(`请求参数有误：${first?.field} ${first?.message}`, issues);

  const now = ports.now().toISOString();
  const taskId = ports.newId();
  const task: SurveyTask = {
    taskId,
    name: input.name,
    theme: input.theme,
    followsOwnRules: followsOwnRules(input.theme),
    regionCode: input.regionCode,
    organiserOrg: organiser.code,
    implementerOrg: input.implementerOrg,
    custodianOrg,
    ...(organiser.technicalUnits?.length ? { technicalUnits: organiser.technicalUnits } : {}),
    ...(input.reviewOrg ? { reviewOrg: input.reviewOrg } : {}),
    ...(countersignOrgs.length ? { countersignOrgs } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.period ? { period: input.period } : {}),
    ...(parent ? { parentTaskId: parent.taskId, programmeTaskId: parent.programmeTaskId ?? parent.taskId } : {}),
    createdAt: now,
    createdBy: actor.userId,
  };
  await ports.store.createTask(
    task,
    taskEntry(actor, 'submission.task.register', task.taskId, cmd.requestId, {
      name: task.name,
      theme: task.theme,
      regionCode: task.regionCode,
      implementerOrg: task.implementerOrg,
      custodianOrg: task.custodianOrg,
      custodianDefaulted: input.custodianOrg === undefined,
      ...(task.technicalUnits ? { technicalUnits: task.technicalUnits } : {}),
      ...(task.reviewOrg ? { reviewOrg: task.reviewOrg } : {}),
      ...(task.countersignOrgs ? { countersignOrgs: task.countersignOrgs } : {}),
      followsOwnRules: task.followsOwnRules,
      ...(task.parentTaskId ? { parentTaskId: task.parentTaskId, programmeTaskId: task.programmeTaskId } : {}),
    }),
  );
  return taskView(task, await ports.calendar(), chinaDay(ports.now()));
}

const levelRank: Record<string, number> = { national: 0, provincial: 1, municipal: 2, county: 3 };

/**
 * R7.1: the organiser changes who decides the technical review (`reviewOrg`) and who countersigns first
 * (`countersignOrgs`) after registration.
 *
 * Primary course:
 *  1. the task exists (404); the caller is a reviewer or administrator of its organiser (403);
 *  2. `rev` is the arrangement the caller read (the task's `arrangementRev`, 0 before any change): another
 *     change since → 409 ARRANGEMENT_CHANGED, nothing written;
 *  3. the units are checked as at registration against the organiser's current designation and the task's
 *     custodian (400 NOT_DESIGNATED / REVIEWER_COUNTERSIGNS naming the field);
 *  4. the same arrangement again changes nothing (`changed: false`, no write);
 *  5. else one conditional write (on `arrangementRev`) with its audit record keeps the replaced arrangement
 *     with the time it ended. It applies to rounds sealed from now on: a round sealed before keeps the
 *     arrangement it was sealed under (its countersign and review tasks, its review page), so a change never
 *     touches a round under way (`arrangementAt`).
 */
export async function changeReviewArrangement(
  cmd: { actor: Principal; taskId: string; input: ReviewArrangementInput; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now'>,
): Promise<{ task: SurveyTaskView; changed: boolean }> {
  const { actor, input } = cmd;
  const task = await ports.store.getTask(cmd.taskId);
  if (!task) throw new NotFoundError(`调查监测任务 ${cmd.taskId} 不存在`);
  if (actor.orgCode !== task.organiserOrg || (!actor.roles.includes('reviewer') && !actor.roles.includes('administrator'))) {
    throw new ForbiddenError(`无权修改该任务的审核与会签安排：只有组织单位（${task.organiserOrg}）的技术审核人或系统管理员可以修改`);
  }
  const rev = task.arrangementRev ?? 0;
  if (input.rev !== rev) {
    throw new ConflictError('ARRANGEMENT_CHANGED', `该任务的审核与会签安排已被修改（当前为第 ${rev} 版，您读取的是第 ${input.rev} 版）；本次未保存，请刷新后重试`);
  }
  const organiser = await ports.identity.getOrganisation(task.organiserOrg);
  if (!organiser) throw new NotFoundError(`组织单位 ${task.organiserOrg} 未在系统中登记`);
  const reviewOrg = input.reviewOrg ?? undefined;
  const countersignOrgs = [...new Set(input.countersignOrgs)];
  const issues = arrangementIssues(organiser, task.custodianOrg, reviewOrg, countersignOrgs);
  const first = issues[0];
  if (first) throw new ValidationError(`请求参数有误：${first.field} ${first.message}`, issues);

  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());
  const same = reviewOrg === task.reviewOrg && JSON.stringify(countersignOrgs) === JSON.stringify(task.countersignOrgs ?? []);
  if (same) return { task: taskView(task, calendar, today), changed: false };

  const at = ports.now().toISOString();
  const replaced = {
    ...(task.reviewOrg ? { reviewOrg: task.reviewOrg } : {}),
    ...(task.countersignOrgs?.length ? { countersignOrgs: task.countersignOrgs } : {}),
    until: at,
    changedBy: actor.userId,
  };
  const change = {
    taskId: task.taskId,
    rev,
    ...(reviewOrg ? { reviewOrg } : {}),
    countersignOrgs,
    earlierArrangements: [...(task.earlierArrangements ?? []), replaced],
  };
  await ports.store.changeArrangement(
    change,
    taskEntry(actor, 'submission.task.arrangement', task.taskId, cmd.requestId, {
      rev: rev + 1,
      reviewOrg: reviewOrg ?? null,
      countersignOrgs,
      previousReviewOrg: task.reviewOrg ?? null,
      previousCountersignOrgs: task.countersignOrgs ?? [],
      appliesToRoundsSealedFrom: at,
    }),
  );
  const { reviewOrg: _old, countersignOrgs: _oldCs, ...rest } = task;
  const updated: SurveyTask = {
    ...rest,
    ...(reviewOrg ? { reviewOrg } : {}),
    ...(countersignOrgs.length ? { countersignOrgs } : {}),
    arrangementRev: rev + 1,
    earlierArrangements: change.earlierArrangements,
  };
  return { task: taskView(updated, calendar, today), changed: true };
}

export interface RegisteredSurveyTask {
  readonly task: SurveyTaskView;
  /** R13.2: present when the catalogue was consulted. */
  readonly overlaps?: Overlap[];
  readonly overlapHint?: string;
}

/**
 * R13.2: registers the task (registerSurveyTask), then lists the catalogue
 * entries overlapping it in region, time and theme that the organiser's
 * clearance allows, so that existing results are shared instead of surveyed
 * again. Without a catalogue port the check is not made (no overlaps field).
 */
export async function registerSurveyTaskWithOverlaps(
  cmd: { actor: Principal; input: SurveyTaskInput; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now' | 'newId'> & { readonly catalogue?: CatalogueStore },
): Promise<RegisteredSurveyTask> {
  const task = await registerSurveyTask(cmd, ports);
  if (!ports.catalogue) return { task };
  const overlaps = await findOverlaps(ports.catalogue, {
    regionCode: task.regionCode,
    theme: task.theme,
    clearance: cmd.actor.clearance,
    ...(task.period ? { period: task.period } : {}),
  });
  return { task, overlaps, ...(overlaps.length > 0 ? { overlapHint: overlapHint } : {}) };
}

/**
 * The implementer records the survey work's completion date; the R6.1 clock
 * (30 WD) starts from it.
 *
 * Primary course:
 *  1. the task exists; the caller is a submitter of its implementer;
 *  2. the date is not in the future (China time) and inside the calendar's range;
 *  3. the same date again changes nothing (idempotent PUT);
 *  4. a different date is refused once a version has been sealed (the
 *     deadline was already judged), else stored with the due date, conditional
 *     on the date read in 1 (a concurrent change → 409), with its audit record.
 */
export async function recordCompletion(
  cmd: { actor: Principal; taskId: string; completionDate: string; requestId: string },
  ports: Pick<SubmissionPorts, 'store' | 'calendar' | 'now'>,
): Promise<{ task: SurveyTaskView; changed: boolean }> {
  const task = await ports.store.getTask(cmd.taskId);
  if (!task) throw new NotFoundError(`调查监测任务 ${cmd.taskId} 不存在`);
  requireImplementerSubmitter(cmd.actor, task, '登记调查完成日期');
  const today = chinaDay(ports.now());
  if (cmd.completionDate > today) throw invalid('body.completionDate', `完成日期 ${cmd.completionDate} 晚于今天（${today}），请登记实际完成日期`);
  const calendar = await ports.calendar();
  let deadline: ReturnType<typeof calendar.deadline>;
  try {
    deadline = calendar.deadline(cmd.completionDate, clocks.submission.days);
  } catch (error) {
    if (error instanceof ValidationError) throw invalid('body.completionDate', error.message);
    throw error;
  }
  const due = deadline.due;
  if (task.completionDate === cmd.completionDate) return { task: taskView(task, calendar, today), changed: false };
  if (task.submittedAt) {
    throw new ConflictError(
      'COMPLETION_LOCKED',
      `该任务已于 ${chinaDay(task.submittedAt)} 封存汇交成果，完成日期（${task.completionDate ?? '未登记'}）不可再修改`,
    );
  }
  const at = ports.now().toISOString();
  await ports.store.recordCompletion(
    { taskId: task.taskId, completionDate: cmd.completionDate, submissionDue: due, recordedBy: cmd.actor.userId, recordedAt: at, previousDate: task.completionDate },
    withSupervision(
      taskEntry(cmd.actor, 'submission.task.completion', task.taskId, cmd.requestId, {
        completionDate: cmd.completionDate,
        submissionDue: due,
        previousDate: task.completionDate ?? null,
      }),
      completionRecorded(task, cmd.completionDate, deadline),
      at,
    ),
  );
  const updated: SurveyTask = { ...task, completionDate: cmd.completionDate, submissionDue: due, completionRecordedBy: cmd.actor.userId, completionRecordedAt: at };
  return { task: taskView(updated, calendar, today), changed: true };
}

export interface SubmissionSummary {
  readonly submissionId: string;
  readonly name: string;
  readonly status: Submission['status'];
  readonly statusLabel: string;
  readonly currentVersion: number;
  readonly classification: Submission['classification'];
  readonly createdAt: string;
}

export function submissionSummary(s: Submission): SubmissionSummary {
  return {
    submissionId: s.submissionId,
    name: s.catalogue.name,
    status: s.status,
    statusLabel: submissionStatusLabels[s.status],
    currentVersion: s.currentVersion,
    classification: s.classification,
    createdAt: s.createdAt,
  };
}

/** One task with its R6.1 deadline and its submissions, for the organisations involved and those above them. */
export async function getSurveyTask(
  cmd: { actor: Principal; taskId: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now'>,
): Promise<{ task: SurveyTaskView; submissions: SubmissionSummary[] }> {
  const task = await ports.store.getTask(cmd.taskId);
  if (!task) throw new NotFoundError(`调查监测任务 ${cmd.taskId} 不存在`);
  await requireTaskRead(ports.identity, cmd.actor, task, '该调查监测任务');
  // The task is not classified; each of its submissions is: one above the reader's clearance is left out (R5.1).
  const submissions = (await ports.store.listSubmissionsOfTask(task.taskId)).filter((s) => visibleTo(cmd.actor, s.classification));
  for (const s of submissions) noteListed(submissionRecord(s));
  return { task: taskView(task, await ports.calendar(), chinaDay(ports.now())), submissions: submissions.map(submissionSummary) };
}

/**
 * Tasks an organisation organises or implements, newest first. The caller
 * lists its own organisation's, or those of an organisation below it (R3.1).
 */
export async function listSurveyTasks(
  cmd: { actor: Principal; org?: string; as?: 'organiser' | 'implementer'; limit: number; cursor?: string },
  ports: Pick<SubmissionPorts, 'store' | 'identity' | 'calendar' | 'now'>,
): Promise<Page<SurveyTaskView> & { org: string; as: 'organiser' | 'implementer' }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  if (!(await isSameOrAbove(ports.identity, cmd.actor.orgCode, org))) {
    throw new ForbiddenError(`无权查看 ${org} 的调查监测任务：只能查看本单位或下级单位的任务`);
  }
  let as = cmd.as;
  if (!as) {
    const o = await ports.identity.getOrganisation(org);
    as = o && organiserTypes.includes(o.type) ? 'organiser' : 'implementer';
  }
  const page = await ports.store.listTasks({ by: as, org, limit: cmd.limit, ...(cmd.cursor ? { cursor: cmd.cursor } : {}) });
  const calendar = await ports.calendar();
  const today = chinaDay(ports.now());
  return { org, as, items: page.items.map((t) => taskView(t, calendar, today)), ...(page.cursor ? { cursor: page.cursor } : {}) };
}
