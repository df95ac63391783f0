import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { SurveyTask } from '#shared/schemas/submission.ts';
import type { HumanTaskStore } from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { classificationLabels, isClassified } from '#shared/reference/classifications.ts';
import { isoDateSchema } from '#shared/schemas/calendar.ts';
import { resultNumberSchema, type CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { Organisation, Principal } from '#shared/schemas/identity.ts';
import { currentAuthorityTable, provinceOf, resolveAuthority, subjectOfEntry, type AuthorityResolution, type AuthorityTableStore } from './authority.ts';
import {
  approvalWords,
  audit,
  changeRequest,
  levelRank,
  PublicationChangedError,
  PublicationRequestedError,
  publicationStatusLabels,
  reviewWords,
  type OrgLevel,
  type PublicationDecision,
  type ProgrammeMember,
  type PublicationHold,
  type PublicationRequest,
  type PublicationRequestStore,
  type PublicationStatus,
} from './request-store.ts';
import { approveRelease } from './publish.ts';
import { approvalDecided, reviewDecided, reviewOpened, withEffects as withSupervision } from './supervision.ts';
import { ClassifiedSourceError, DesensitisationMissingError, mayPrepareRelease, type ReleaseStore } from './release.ts';

/**
 * Publication requests (发布申请, R11.1, R12.1–R12.3): a release version goes
 * through the confidentiality review (保密审查) of the organiser, then the
 * approval of the authority the table names (one department, or 自然资源部 and
 * 国家林业和草原局 jointly for national forest, grassland and wetland results),
 * then waits for the level above of the same programme and for its embargo
 * date, and finally becomes `release.state = 'approved'`. The Publication
 * state machine (statemachines/publication.asl.json) runs the steps; each
 * step is a function here, conditional on the stored revision, audited, and
 * appended to the request's own timeline (every round kept).
 */
export const publicationStateMachine = 'Publication';

export * from './request-store.ts';

export const publicationDecisionSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
});

export const programmeCodeSchema = described(
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, '项目编号应为 2–64 位字母、数字、点、下划线或连字符')),
  '分级实施的调查项目编号：同一项目的下级成果待上一级成果发布后才发布（R11.1）',
);

export const requestPublicationBodySchema = z.object({
  releaseNumber: described(resultNumberSchema, '发布版本的统一编号（源成果编号加 -R1、-R2…）'),
  embargoUntil: described(z.optional(isoDateSchema), '解禁日期：此日（北京时间）之前不发布'),
  programme: z.optional(programmeCodeSchema),
});
export type RequestPublicationBody = z.infer<typeof requestPublicationBodySchema>;

export const resubmitPublicationBodySchema = z.object({
  releaseNumber: described(resultNumberSchema, '修改后重新登记的发布版本（同一源成果的新发布版本，新的成果包与脱密脱敏记录）'),
});

/** Thrown by the step that records a department's refusal inside the joint approval: it ends the Parallel state (the other wait stops). */
export class PublicationRefusedError extends Error {
  override readonly name = 'PublicationRefused';
}

const levelLabels: Record<OrgLevel, string> = { national: '国家级', provincial: '省级', municipal: '市级', county: '县级' };

export interface RequestPublicationPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly authorities: Pick<AuthorityTableStore, 'current'>;
  readonly releases: Pick<ReleaseStore, 'listForSource'>;
  /** The source's survey task: the level above it names (R11.1 level-by-level). */
  readonly submissions: { getTask(taskId: string): Promise<Pick<SurveyTask, 'taskId' | 'parentTaskId' | 'programmeTaskId'> | undefined> };
  readonly publications: PublicationRequestStore;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** The release version and its source, checked as a publication needs them (404 / 403 / 409, nothing written). */
async function releaseToPublish(ports: Pick<RequestPublicationPorts, 'catalogue' | 'identity' | 'releases'>, actor: Principal, releaseNumber: string) {
  const entry = await visibleEntry(ports.catalogue, actor, releaseNumber);
  if (!entry.release) throw new ConflictError('NOT_A_RELEASE', `${entry.resultNumber} 不是发布版本：请先登记脱密脱敏的发布版本（POST /catalogue/{resultNumber}/releases）再申请发布`);
  const source = await ports.catalogue.getEntry(entry.release.sourceNumber);
  if (!source) throw new NotFoundError(`源成果 ${entry.release.sourceNumber} 不存在`);
  if (!(await mayPrepareRelease(ports.identity, actor, source))) {
    throw new ForbiddenError(`无权申请发布：由组织单位（${source.organiserOrg}）的审核或发布审批人、保管单位（${source.custodian}）的成果保管人或组织单位指定的技术单位申请`);
  }
  if (isClassified(source.classification) || isClassified(entry.classification)) throw new ClassifiedSourceError(source.resultNumber, classificationLabels[source.classification]);
  if (entry.status !== 'active' || source.status !== 'active') throw new ConflictError('ENTRY_DESTROYED', `成果 ${source.resultNumber} 或其发布版本已销毁`);
  if (entry.release.state !== 'pending') throw new ConflictError('RELEASE_NOT_PENDING', `发布版本 ${entry.resultNumber} 的发布状态为 ${entry.release.state}，不能再申请发布`);
  const record = (await ports.releases.listForSource(source.resultNumber)).find((r) => r.releaseNumber === entry.resultNumber);
  if (source.classification !== 'public' && !record?.desensitisation) throw new DesensitisationMissingError(source.resultNumber, classificationLabels[source.classification]);
  return { entry, source, ...(record?.desensitisation ? { desensitisation: record.desensitisation } : {}) };
}

/** R18.2: a release version of a derived product says so on the request's timeline. */
const derivedNote = (entry: CatalogueEntry) => (entry.release?.derivedProduct ? `（衍生产品“${entry.release.derivedProduct.name}”，${entry.release.derivedProduct.productId}，登记单位 ${entry.release.derivedProduct.registrantOrg}）` : '');

/**
 * POST /publication/requests.
 *
 *  1. the release version through the one access rule (404 above the clearance), its source;
 *  2. the actor may prepare releases of the source (403);
 *  3. not 秘密 or above (409, R5.1), still pending, a desensitisation record when the source is above 公开 (409);
 *  4. the authority table in force resolves the approvers; the rule that applied is stored;
 *  5. the request, audited, conditional on the release having none (409); the Publication machine starts.
 */
export async function requestPublication(ports: RequestPublicationPorts, cmd: { actor: Principal; body: RequestPublicationBody; requestId: string }): Promise<PublicationRequest> {
  const { actor, body } = cmd;
  const { entry, source, desensitisation } = await releaseToPublish(ports, actor, body.releaseNumber);
  const subject = await subjectOfEntry(ports.identity, source);
  const resolution = resolveAuthority(await currentAuthorityTable(ports.authorities), subject);
  if (await ports.publications.requestOfRelease(entry.resultNumber)) throw new PublicationRequestedError(entry.resultNumber);
  // R11.1: a task that names the task of the level above is a part of that programme (its top task); a request
  // without one may still name a programme code (the level above found by level and region).
  const task = await ports.submissions.getTask(source.taskId);
  const programme = task?.parentTaskId ? (task.programmeTaskId ?? task.parentTaskId) : (body.programme ?? task?.taskId);
  const at = ports.now().toISOString();
  const request: PublicationRequest = {
    requestId: `${entry.resultNumber}-${ports.newId()}`,
    sourceNumber: source.resultNumber,
    releaseNumber: entry.resultNumber,
    round: 1,
    status: 'review',
    organiserOrg: source.organiserOrg,
    level: subject.organiser.level,
    regionCode: subject.regionCode,
    theme: source.theme,
    classification: entry.classification,
    resolution: { tableVersion: resolution.tableVersion, ruleId: resolution.rule.ruleId, basis: resolution.rule.basis, joint: resolution.joint, explanation: resolution.explanation },
    approvals: resolution.approvers.map((a) => ({ orgCode: a.orgCode, role: a.role })),
    rounds: [{ round: 1, releaseNumber: entry.resultNumber, ...(desensitisation ? { desensitisation } : {}), submittedBy: actor.userId, submittedAt: at }],
    ...(programme ? { programme } : {}),
    ...(task ? { taskId: task.taskId } : {}),
    ...(task?.parentTaskId ? { parentTaskId: task.parentTaskId } : {}),
    ...(body.embargoUntil ? { embargoUntil: body.embargoUntil } : {}),
    requestedBy: actor.userId,
    requestedByOrg: actor.orgCode,
    requestedAt: at,
    timeline: [
      { at, type: 'requested', text: `申请发布 ${entry.resultNumber}${derivedNote(entry)}（第 1 轮），送组织单位保密审查；${resolution.explanation}`, detail: { by: actor.userId, ruleId: resolution.rule.ruleId, tableVersion: resolution.tableVersion } },
    ],
    revision: 1,
  };
  await ports.publications.create(
    request,
    withSupervision(
      audit(actor.userId, actor.orgCode, 'publication.request.create', request.requestId, cmd.requestId, {
        releaseNumber: entry.resultNumber,
        ruleId: resolution.rule.ruleId,
        tableVersion: resolution.tableVersion,
        approvers: request.approvals,
        programme: programme ?? null,
      parentTaskId: task?.parentTaskId ?? null,
        embargoUntil: body.embargoUntil ?? null,
      }),
      // R11.1: the review clock starts with the request (and it is counted for the bulletin).
      reviewOpened(request, await ports.calendar(), at, true),
      at,
    ),
  );
  await ports.workflow.start(publicationStateMachine, `${request.requestId}-1`, machineInput(request));
  return request;
}

/** What the Publication machine starts with. */
export function machineInput(r: PublicationRequest) {
  return { requestId: r.requestId, round: r.round, joint: r.resolution.joint };
}

/**
 * POST /publication/requests/{requestId}/resubmissions: after 退回修改, the preparer registered a new release
 * version (new package, new record) of the same source; the next round starts with it. Every round stays.
 */
export async function resubmitPublication(ports: Omit<RequestPublicationPorts, 'submissions'>, cmd: { actor: Principal; id: string; releaseNumber: string; requestId: string }): Promise<PublicationRequest> {
  const current = await visibleRequest(ports, cmd.actor, cmd.id);
  if (current.status !== 'returned') throw new ConflictError('PUBLICATION_NOT_RETURNED', `发布申请 ${current.requestId} 当前状态为“${publicationStatusLabels[current.status]}”，只有退回修改的申请可以重新提交`);
  const { entry, source, desensitisation } = await releaseToPublish(ports, cmd.actor, cmd.releaseNumber);
  if (source.resultNumber !== current.sourceNumber) throw new ConflictError('OTHER_SOURCE', `发布版本 ${entry.resultNumber} 不属于源成果 ${current.sourceNumber}`);
  if (await ports.publications.requestOfRelease(entry.resultNumber)) throw new PublicationRequestedError(entry.resultNumber);
  const at = ports.now().toISOString();
  const round = current.round + 1;
  const next: PublicationRequest = {
    ...current,
    releaseNumber: entry.resultNumber,
    classification: entry.classification,
    round,
    status: 'review',
    rounds: [...current.rounds, { round, releaseNumber: entry.resultNumber, ...(desensitisation ? { desensitisation } : {}), submittedBy: cmd.actor.userId, submittedAt: at }],
    timeline: [...current.timeline, { at, type: 'resubmitted', text: `修改后重新提交 ${entry.resultNumber}（第 ${round} 轮），送组织单位保密审查`, detail: { by: cmd.actor.userId } }],
    revision: current.revision + 1,
  };
  await ports.publications.update(
    next,
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'publication.request.resubmit', current.requestId, cmd.requestId, { round, releaseNumber: entry.resultNumber }),
      reviewOpened(next, await ports.calendar(), at, false),
      at,
    ),
    entry.resultNumber,
  );
  await ports.workflow.start(publicationStateMachine, `${current.requestId}-${round}`, machineInput(next));
  return next;
}

/**
 * The request for a reader: through the release version's entry (the one access rule: 404 above the clearance),
 * for the organiser, the custodian, the preparer's organisation, the approving organisations and administrators (403).
 */
export async function visibleRequest(
  ports: { catalogue: Pick<CatalogueStore, 'getEntry'>; publications: Pick<PublicationRequestStore, 'get'> },
  actor: Principal,
  id: string,
): Promise<PublicationRequest> {
  const request = await ports.publications.get(id);
  if (!request) throw new NotFoundError(`发布申请 ${id} 不存在`);
  const entry = await visibleEntry(ports.catalogue, actor, request.releaseNumber, `发布申请 ${id} 不存在`);
  const concerned =
    actor.orgCode === request.organiserOrg ||
    actor.orgCode === entry.custodian ||
    actor.orgCode === request.requestedByOrg ||
    request.approvals.some((a) => a.orgCode === actor.orgCode) ||
    actor.roles.includes('administrator');
  if (!concerned) throw new ForbiddenError('无权查看发布申请：仅组织单位、保管单位、申请单位、审批单位或管理员可查看');
  return request;
}

export function publicationView(r: PublicationRequest) {
  return {
    ...r,
    statusLabel: publicationStatusLabels[r.status],
    approvals: r.approvals.map((a) => ({ ...a, ...(a.decision ? { decisionLabel: a.decision.decision === 'approve' ? approvalWords.approve : approvalWords.ret } : {}) })),
    rounds: r.rounds.map((x) => ({ ...x, ...(x.review ? { reviewLabel: x.review.decision === 'approve' ? reviewWords.approve : reviewWords.ret } : {}) })),
  };
}

// ---- the machine's steps ------------------------------------------------------------------------------------------

export interface StepPorts {
  readonly publications: PublicationRequestStore;
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'updateEntry' | 'indexEntry'>;
  readonly identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation'>;
  readonly mailer: Mailer;
  /** The R11.1 / R12.1 clocks' due dates and the working days to approve (shared/publication/supervision.ts). */
  readonly calendar: () => Promise<WorkingDayCalendar>;
  /** A refusal in a joint approval closes the other department's open task (R12.2). */
  readonly humanTasks: Pick<HumanTaskStore, 'listBySubject' | 'expire'>;
  readonly now: () => Date;
}

async function emailPreparer(ports: Pick<StepPorts, 'identity' | 'mailer'>, r: PublicationRequest, subject: string, lines: string[]): Promise<void> {
  const preparer = await ports.identity.getUser(r.requestedBy);
  const submitter = r.rounds.at(-1)?.submittedBy;
  const other = submitter && submitter !== r.requestedBy ? await ports.identity.getUser(submitter) : undefined;
  const to = [preparer?.email, other?.email].filter((e): e is string => !!e);
  if (to.length === 0) return;
  await ports.mailer.send({ to, subject, text: [...lines, '', '—— 自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）'].join('\n') });
}

/**
 * Record Review: the confidentiality review's decision on the current round. 审查通过 → the approval step
 * (`next: 'approval'`); 退回修改 → the request is `returned` and the preparer emailed with the reasons
 * (`next: 'returned'`). A retry finds the round already decided and answers the same.
 */
export async function recordReview(
  ports: Pick<StepPorts, 'publications' | 'identity' | 'mailer' | 'calendar'>,
  cmd: { requestId: string; round: number; decision: PublicationDecision; requestIdOfCall: string },
): Promise<{ next: 'approval' | 'returned' }> {
  const passed = cmd.decision.decision === 'approve';
  const calendar = await ports.calendar();
  let fresh = false;
  const r = await changeRequest(
    ports,
    cmd.requestId,
    (cur) => {
      const round = cur.rounds.find((x) => x.round === cmd.round);
      if (!round) throw new NotFoundError(`发布申请 ${cmd.requestId} 没有第 ${cmd.round} 轮`);
      if (round.review || cur.round !== cmd.round || cur.status !== 'review') return undefined;
      fresh = true;
      const word = passed ? reviewWords.approve : reviewWords.ret;
      return {
        next: {
          ...cur,
          status: passed ? 'approval' : 'returned',
          rounds: cur.rounds.map((x) => (x.round === cmd.round ? { ...x, review: cmd.decision } : x)),
          timeline: [
            ...cur.timeline,
            {
              at: cmd.decision.decidedAt,
              type: passed ? 'reviewPassed' : 'reviewReturned',
              text: `保密审查（第 ${cmd.round} 轮）：${word}（${cmd.decision.decidedBy}）${cmd.decision.reasons ? `；理由：${cmd.decision.reasons}` : ''}${passed ? `；送 ${cur.approvals.map((a) => a.orgCode).join(' 与 ')} 审批` : ''}`,
              detail: { ...cmd.decision, round: cmd.round },
            },
          ],
        },
        action: passed ? 'publication.review.pass' : 'publication.review.return',
        detail: { round: cmd.round, decision: cmd.decision },
        // R11.1 met; 审查通过 starts R12.1 for each approving department (same transaction).
        supervision: { at: cmd.decision.decidedAt, ...reviewDecided(cur, cmd.round, passed, calendar, cmd.decision.decidedAt) },
      };
    },
    cmd.requestIdOfCall,
    'system:RecordPublicationDecision',
  );
  if (fresh && !passed) {
    await emailPreparer(ports, r, `发布申请退回修改：${r.releaseNumber}`, [
      `您提交的发布版本 ${r.releaseNumber}（发布申请 ${r.requestId}，第 ${cmd.round} 轮）未通过保密审查：${reviewWords.ret}。`,
      `退回理由：${cmd.decision.reasons || '（无）'}`,
      '请按意见修改脱密脱敏处理，上传新的发布版本成果包并登记发布版本后，在发布申请中重新提交（POST /publication/requests/{requestId}/resubmissions）。各轮审查记录均保留。',
    ]);
  }
  return { next: r.rounds.find((x) => x.round === cmd.round)?.review?.decision === 'approve' ? 'approval' : 'returned' };
}

/**
 * Record Approval: one approving department's decision. 同意发布 by every department → `next: 'hold'`;
 * one of two joint departments → `next: 'waiting'` (the other branch still waits); 不予发布 → the request
 * is `refused`, the preparer emailed with that department's reasons, and — inside the joint approval
 * (`joint`) — PublicationRefusedError ends the Parallel state, so the other department's wait stops.
 */
export async function recordApproval(
  ports: StepPorts,
  cmd: { requestId: string; round: number; approver: number; decision: PublicationDecision; requestIdOfCall: string },
): Promise<{ next: 'hold' | 'waiting' | 'refused' }> {
  const refused = cmd.decision.decision !== 'approve';
  const calendar = await ports.calendar();
  let fresh = false;
  let closedOthers = false;
  const r = await changeRequest(
    ports,
    cmd.requestId,
    (cur) => {
      const approval = cur.approvals[cmd.approver];
      if (!approval) throw new NotFoundError(`发布申请 ${cmd.requestId} 没有第 ${cmd.approver + 1} 个审批单位`);
      if (approval.decision || cur.round !== cmd.round) return undefined;
      fresh = true;
      const endsNow = refused && cur.status !== 'refused';
      const org = approval.orgCode;
      // R12.2: this refusal ends the request; the other department's undecided task is closed, and says why.
      const approvals = cur.approvals.map((a, i) =>
        i === cmd.approver
          ? { ...a, decision: cmd.decision }
          : endsNow && !a.decision
            ? { ...a, closed: { at: cmd.decision.decidedAt, reason: `${org} 已决定不予发布，本次发布申请已结束，此审批无需再作决定` } }
            : a,
      );
      closedOthers = endsNow && approvals.some((a) => a.closed);
      const all = approvals.every((a) => a.decision?.decision === 'approve');
      const status: PublicationStatus = cur.status === 'refused' || refused ? 'refused' : all ? 'held' : 'approval';
      const outcome = endsNow ? 'refused' : all && cur.status !== 'refused' ? 'granted' : 'waiting';
      return {
        next: {
          ...cur,
          status,
          approvals,
          timeline: [
            ...cur.timeline,
            {
              at: cmd.decision.decidedAt,
              type: refused ? 'approvalRefused' : 'approvalGiven',
              text: `${approval.orgCode} 审批：${refused ? approvalWords.ret : approvalWords.approve}（${cmd.decision.decidedBy}）${cmd.decision.reasons ? `；理由：${cmd.decision.reasons}` : ''}${!refused && !all ? '；等待另一审批单位决定' : ''}`,
              detail: { ...cmd.decision, orgCode: approval.orgCode },
            },
          ],
          ...(status === 'refused' && cur.status !== 'refused' ? { closedAt: cmd.decision.decidedAt } : {}),
        },
        action: refused ? 'publication.approval.refuse' : 'publication.approval.approve',
        detail: { round: cmd.round, orgCode: approval.orgCode, decision: cmd.decision },
        orgCode: approval.orgCode,
        // R12.1: this department's clock met (a refusal cancels the others'); the bulletin's counts.
        supervision: { at: cmd.decision.decidedAt, ...approvalDecided(cur, cmd.round, cmd.approver, outcome, calendar, cmd.decision.decidedAt) },
      };
    },
    cmd.requestIdOfCall,
    'system:RecordPublicationDecision',
  );
  const mine = r.approvals[cmd.approver];
  const mineRefused = mine?.decision?.decision === 'return';
  if (fresh && refused) {
    const org = mine ? ((await ports.identity.getOrganisation(mine.orgCode))?.name ?? mine.orgCode) : '';
    await emailPreparer(ports, r, `发布申请不予发布：${r.releaseNumber}`, [
      `您申请发布的 ${r.releaseNumber}（发布申请 ${r.requestId}）经 ${org}（${mine?.orgCode}）审批：${approvalWords.ret}。`,
      `理由：${cmd.decision.reasons || '（无）'}`,
      r.approvals.length > 1 ? '该成果须自然资源部与国家林业和草原局联合审批，一方不予发布即结束本次申请。' : '本次发布申请已结束。',
    ]);
  }
  // Also on a retry (the step may have stopped between the write and the closing): only still-open tasks are closed.
  if (closedOthers || (refused && r.approvals.some((a, i) => i !== cmd.approver && a.closed))) await closeOtherApprovals(ports, r, cmd.round, cmd.approver, cmd.requestIdOfCall);
  if (mineRefused || r.status === 'refused') {
    if (r.resolution.joint) throw new PublicationRefusedError(`${mine?.orgCode ?? ''} 不予发布：${mine?.decision?.reasons ?? ''}`);
    return { next: 'refused' };
  }
  return { next: r.approvals.every((a) => a.decision?.decision === 'approve') ? 'hold' : 'waiting' };
}

/**
 * R12.2: one department refused, so the other department's still-open approval task of the round is closed
 * (recorded expired with the reason, its link no longer decides: 409) and its assignees are told why. Idempotent:
 * a retry finds the task already closed.
 */
async function closeOtherApprovals(ports: Pick<StepPorts, 'humanTasks' | 'identity' | 'mailer' | 'now'>, r: PublicationRequest, round: number, approver: number, requestIdOfCall: string): Promise<void> {
  const refusedBy = r.approvals[approver]?.orgCode ?? '';
  for (const [i, a] of r.approvals.entries()) {
    if (i === approver || !a.closed) continue;
    const open = (await ports.humanTasks.listBySubject('publicationApproval', { requestId: r.requestId, round, approver: i })).filter((t) => t.status === 'open');
    for (const task of open) {
      await ports.humanTasks.expire(task.id, ports.now().toISOString(), {
        actor: 'system:RecordPublicationDecision',
        orgCode: task.assigneeOrg,
        action: 'tasks.humanTask.expire',
        target: `HTASK#${task.id}`,
        outcome: 'success',
        requestId: requestIdOfCall,
        detail: { kind: task.kind, subject: task.subject, reason: 'otherDepartmentRefused', refusedBy, requestId: r.requestId },
      });
      const to = (await Promise.all(task.assignees.map((u) => ports.identity.getUser(u)))).map((u) => u?.email).filter((e): e is string => !!e);
      if (to.length === 0) continue;
      const refusal = r.approvals[approver]?.decision;
      await ports.mailer.send({
        to,
        subject: `发布审批已关闭：${r.releaseNumber}`,
        text: [
          `发布版本 ${r.releaseNumber}（发布申请 ${r.requestId}）须 ${r.approvals.map((x) => x.orgCode).join(' 与 ')} 联合审批（R12.2）。`,
          `${refusedBy} 已决定：${approvalWords.ret}${refusal?.reasons ? `，理由：${refusal.reasons}` : ''}。本次发布申请已结束，贵单位的审批任务已关闭，原链接不能再作决定。`,
          '',
          '—— 自然资源调查监测成果管理系统（此邮件由系统自动发送，请勿回复）',
        ].join('\n'),
      });
    }
  }
}

/** How often a held release looks again at the level above (the embargo ends the wait at its own date). */
export const holdRecheckSeconds = 6 * 3600;

const contains = (upper: ProgrammeMember, lower: Pick<ProgrammeMember, 'regionCode'>) =>
  upper.regionCode === '100000' ||
  (levelRank[upper.level] === 1 && provinceOf(lower.regionCode) === provinceOf(upper.regionCode)) ||
  (levelRank[upper.level] === 2 && lower.regionCode.slice(0, 4) === upper.regionCode.slice(0, 4));

/**
 * Check Hold (R11.1): a release is held while the level directly above in the same programme (its region
 * containing this one) has not published its own release, and until its embargo date (China time). The hold
 * and what it waits for are stored on the request and its timeline (once per change). Returns how long the
 * machine's Wait state sleeps before looking again.
 */
export async function checkHold(
  ports: Pick<StepPorts, 'publications' | 'catalogue' | 'now'>,
  cmd: { requestId: string; requestIdOfCall: string },
): Promise<{ held: boolean; waitSeconds: number; waitingFor: string[] }> {
  const r = await ports.publications.get(cmd.requestId);
  if (!r) throw new NotFoundError(`发布申请 ${cmd.requestId} 不存在`);
  const now = ports.now();
  const waitingFor: string[] = [];
  let waitSeconds = holdRecheckSeconds;
  let parentLevel: OrgLevel | undefined;
  if (r.parentTaskId && r.programme) {
    // The programme entity: the source's task names the task of the level above; its results' requests are members.
    const parents = (await ports.publications.listProgramme(r.programme)).filter((m) => m.taskId === r.parentTaskId && m.requestId !== r.requestId);
    let published = false;
    for (const p of parents) {
      const req = await ports.publications.get(p.requestId);
      const entry = req ? await ports.catalogue.getEntry(req.releaseNumber) : undefined;
      if (entry?.release?.state === 'released') published = true;
    }
    if (!published) waitingFor.push(`上一级调查监测任务（${r.parentTaskId}）的成果发布${parents.length > 0 ? `（发布申请 ${parents.map((p) => p.requestId).join('、')}）` : '（上一级尚未申请发布）'}`);
  } else if (r.programme && r.programme !== r.taskId && r.level !== 'national') {
    // A programme code named on the request (no task chain): the level above found by level and region. A task
    // without a parent is its own programme's top (programme === taskId): never held for a level above.
    const above = (Object.keys(levelRank) as OrgLevel[]).find((l) => levelRank[l] === levelRank[r.level] - 1)!;
    parentLevel = above;
    const parents = (await ports.publications.listProgramme(r.programme)).filter((m) => m.level === above && m.requestId !== r.requestId && contains(m, r));
    let published = false;
    for (const p of parents) {
      const req = await ports.publications.get(p.requestId);
      const entry = req ? await ports.catalogue.getEntry(req.releaseNumber) : undefined;
      if (entry?.release?.state === 'released') published = true;
    }
    if (!published) waitingFor.push(`同一调查项目（${r.programme}）上一级（${levelLabels[above]}）成果发布${parents.length > 0 ? `（${parents.map((p) => p.requestId).join('、')}）` : ''}`);
  }
  if (r.embargoUntil && chinaDate(now) < r.embargoUntil) {
    waitingFor.push(`解禁日期 ${r.embargoUntil}`);
    // Midnight China time (UTC+8) of the embargo date.
    const until = Date.parse(`${r.embargoUntil}T00:00:00+08:00`);
    waitSeconds = Math.max(1, Math.min(waitSeconds, Math.ceil((until - now.getTime()) / 1000)));
  }
  const held = waitingFor.length > 0;
  const at = now.toISOString();
  await changeRequest(
    ports,
    r.requestId,
    (cur) => {
      if (cur.status !== 'held' && cur.status !== 'approval') return undefined;
      const same = JSON.stringify(cur.hold?.waitingFor ?? []) === JSON.stringify(waitingFor);
      if (same && (held || !cur.hold)) return undefined;
      const hold: PublicationHold | undefined = held
        ? {
            waitingFor,
            since: cur.hold?.since ?? at,
            checkedAt: at,
            ...(r.embargoUntil ? { embargoUntil: r.embargoUntil } : {}),
            ...(parentLevel ? { parentLevel } : {}),
            ...(r.parentTaskId && waitingFor.some((w) => w.includes(r.parentTaskId!)) ? { parentTaskId: r.parentTaskId } : {}),
          }
        : undefined;
      const { hold: _old, ...rest } = cur;
      return {
        next: {
          ...rest,
          status: 'held',
          ...(hold ? { hold } : {}),
          timeline: [...cur.timeline, { at, type: held ? 'held' : 'holdReleased', text: held ? `暂缓发布，等待：${waitingFor.join('；')}` : '发布条件已满足，不再暂缓' }],
        },
        action: held ? 'publication.hold' : 'publication.hold.release',
        detail: { waitingFor },
      };
    },
    cmd.requestIdOfCall,
    'system:CheckPublicationHold',
  );
  return { held, waitSeconds, waitingFor };
}

/**
 * Approve Release: every approver agreed and the hold is over — the release version's entry becomes
 * `release.state: 'approved'` with who approved, the rule and the embargo date (shared/publication/publish.ts
 * `approveRelease`: audited, counted, idempotent), and the request closes approved. PublishRelease follows.
 */
export async function approvePublication(ports: Pick<StepPorts, 'publications' | 'catalogue' | 'now'>, cmd: { requestId: string; requestIdOfCall: string }): Promise<{ releaseNumber: string; state: string }> {
  const r = await ports.publications.get(cmd.requestId);
  if (!r) throw new NotFoundError(`发布申请 ${cmd.requestId} 不存在`);
  if (r.status === 'refused' || r.status === 'returned' || r.status === 'review') throw new ConflictError('PUBLICATION_NOT_APPROVED', `发布申请 ${r.requestId} 未获批准，不能发布`);
  if (!r.approvals.every((a) => a.decision?.decision === 'approve')) throw new ForbiddenError(`发布申请 ${r.requestId} 尚未获全部审批单位同意`);
  const { entry } = await approveRelease(ports, {
    releaseNumber: r.releaseNumber,
    approvers: r.approvals.map((a) => ({ userId: a.decision!.decidedBy, orgCode: a.orgCode })),
    tableVersion: r.resolution.tableVersion,
    ruleId: r.resolution.ruleId,
    ...(r.embargoUntil ? { embargoUntil: r.embargoUntil } : {}),
    requestId: cmd.requestIdOfCall,
    actor: 'system:ApprovePublication',
  });
  const at = ports.now().toISOString();
  await changeRequest(
    ports,
    r.requestId,
    (cur) =>
      cur.status === 'approved'
        ? undefined
        : {
            next: { ...cur, status: 'approved', closedAt: at, timeline: [...cur.timeline, { at, type: 'approved', text: `已批准发布：${cur.releaseNumber} 的发布状态为“已批准”，随即发布文件` }] },
            action: 'publication.approved',
            detail: { releaseNumber: cur.releaseNumber },
          },
    cmd.requestIdOfCall,
    'system:ApprovePublication',
  );
  return { releaseNumber: r.releaseNumber, state: entry.release?.state ?? 'approved' };
}

