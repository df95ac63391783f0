import { chinaDate } from '#shared/calendar/dates.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { getCatalogueEntry, visibleEntry, type EntryView } from '#shared/catalogue/catalogue.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { consoleUrl } from '#shared/tasks/mail.ts';
import { escapeHtml } from '#shared/web/html.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { AuditTrail } from '#shared/ports/audit.ts';
import type { SharingStore } from '#shared/sharing/model.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { problemDecisionDue } from '#shared/supervision/clock-types.ts';
import { withSupervision, type CountIncrement } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import { invalid } from '#shared/supervision/scope.ts';

/**
 * Quality feedback (质量问题反馈, R19.2) and the first step of its escalation
 * (R19.3, issue 17). A requester who can read the result, or its custodian,
 * reports a problem on one file or folder (layer) of the result's verified
 * package; the custodian confirms or rejects it with reasons within
 * R19.2's clock (10 working days, the deadline watch reminds); a confirmed
 * 重大 problem goes to the organiser, who verifies it and records the
 * responsibility finding (who, what, conclusion) — the implementer is then
 * ordered to correct it. Every step is conditional on the state it was read
 * in, idempotent and audited, and moves the bulletin's use counters in the
 * same transaction (R19.2.reported / R19.2.confirmed / R19.3.escalated).
 */

export { openStates, problemStateLabels, problemStates, qualityStatusLabel, severities, type ProblemState, type Severity } from './states.ts';
import { openStates, problemStateLabels, qualityStatusLabel, type ProblemListSide, type ProblemState, type Severity } from './states.ts';
/** R19.3: the organiser's verification of a confirmed 重大 problem (statemachines/problem-verification.asl.json). */
export const problemVerificationStateMachine = 'ProblemVerification';
export const verificationExecutionName = (problemId: string) => `verify-${problemId}`;


export interface ProblemLocation {
  readonly bbox?: readonly [number, number, number, number];
  readonly featureIds?: readonly string[];
}

export interface ProblemStep {
  readonly state: ProblemState;
  readonly at: string;
  readonly by: string;
  readonly byName: string;
  readonly note: string;
}

export interface ResponsibilityFinding {
  /** Who is responsible (unit or person). */
  readonly who: string;
  /** What went wrong. */
  readonly what: string;
  readonly conclusion: string;
}

export interface QualityProblem {
  readonly problemId: string;
  readonly resultNumber: string;
  readonly classification: CatalogueEntry['classification'];
  readonly custodianOrg: string;
  readonly organiserOrg: string;
  readonly implementerOrg: string;
  /** The submission (and survey task) the result was numbered from: where the implementer submits the correction (R19.3). Absent on problems reported before it was recorded. */
  readonly submissionId?: string;
  readonly taskId?: string;
  /** A file path or a folder (layer) of the result's verified package. */
  readonly file: string;
  readonly location: ProblemLocation;
  readonly description: string;
  readonly severity: Severity;
  readonly reportedBy: string;
  readonly reporterOrg: string;
  readonly reportedAt: string;
  /** R19.2's due date for the custodian's decision. */
  readonly decisionDue: string;
  readonly state: ProblemState;
  readonly timeline: readonly ProblemStep[];
  readonly finding?: ResponsibilityFinding;
  /** R19.3: the corrected version of the result's submission, once the implementer opened it (correctionSubmitted). */
  readonly correction?: { readonly submissionId: string; readonly n: number; readonly openedAt: string; readonly openedBy: string };
  /** R19.3: the corrected version in custody as the entry's current version (fixed); the grant holders told. */
  readonly fixed?: { readonly n: number; readonly at: string; readonly notified: readonly string[] };
  /** R19.2: the reporter's attachments (at most maxAttachments), each with its size and SHA-256. */
  readonly attachments?: readonly ProblemAttachment[];
}

/** R19.2: what a report may carry — photos, screenshots, a small GeoJSON (uploaded by presigned write-once PUT). */
export const attachmentContentTypes = ['image/jpeg', 'image/png', 'application/geo+json'] as const;
export type AttachmentContentType = (typeof attachmentContentTypes)[number];
export const maxAttachments = 5;
export const maxAttachmentBytes = 10 * 1024 * 1024;
export const maxGeoJsonBytes = 2 * 1024 * 1024;
/** The presigned PUT and GET last minutes. */
export const attachmentUrlSeconds = 300;

export interface ProblemAttachment {
  /** 1-based, in the order declared. */
  readonly n: number;
  readonly name: string;
  readonly contentType: AttachmentContentType;
  readonly size: number;
  readonly sha256: string;
  /** feedback/<problemId>/<n>-<sha256 prefix>.<ext> in the documents bucket (write-once). */
  readonly key: string;
  readonly declaredBy: string;
  readonly declaredAt: string;
}

export { problemListSides, type ProblemListSide } from './states.ts';

export interface ProblemStore {
  get(problemId: string): Promise<QualityProblem | undefined>;
  /** The problems of one result, newest first (one key query). */
  listFor(resultNumber: string): Promise<QualityProblem[]>;
  /** An organisation's problems on one side across its results, newest first, a page (one key query); `cursor` continues after that sort key. */
  listByOrg(side: ProblemListSide, org: string, opts: { limit: number; cursor?: string }): Promise<{ problems: QualityProblem[]; cursor?: string }>;
  /** Write-once with its audit entry (its supervision effects in the same transaction). */
  create(problem: QualityProblem, entry: AuditEntry): Promise<void>;
  /**
   * Conditional on the state it was read in (and on the number of attachments it was read with, so that two
   * declarations at once never drop one); ConflictError PROBLEM_CHANGED otherwise.
   */
  update(problem: QualityProblem, from: ProblemState, entry: AuditEntry, attachmentsBefore?: number): Promise<void>;
}

/** The file paths of a result's verified package as custody holds them (registry records; no bytes read). */
export interface ResultFiles {
  list(entry: Pick<CatalogueEntry, 'resultNumber' | 'submissionId'>): Promise<string[]>;
}

/** R19.2: whether an organisation holds (or held) a sharing grant naming a result. */
export interface HeldGrants {
  heldBy(orgCode: string, resultNumber: string): Promise<boolean>;
}

/** How many of an organisation's own applications (newest first) are read for its grants. */
export const applicationsReadForGrants = 500;

/**
 * Grants from the sharing store: the organisation's own applications (newest first, one key query) that name the
 * result, each review's grant — held now or earlier (expired or revoked grants count: the results were handed out).
 */
export function heldGrants(sharing: Pick<SharingStore, 'listApplications' | 'getGrant'>): HeldGrants {
  return {
    async heldBy(orgCode, resultNumber) {
      const apps = await sharing.listApplications('by', orgCode, applicationsReadForGrants);
      for (const app of apps) {
        if (!app.items.some((i) => i.resultNumber === resultNumber)) continue;
        for (const r of app.reviews) {
          if (!r.grantId) continue;
          const g = await sharing.getGrant(r.grantId);
          if (g && g.requesterOrg === orgCode && g.resultNumbers.includes(resultNumber)) return true;
        }
      }
      return false;
    },
  };
}

/** A requester without a grant on the result (R19.2): 403 NO_GRANT. */
export class NoGrantError extends ForbiddenError {
  override readonly code = 'NO_GRANT';
}

export interface FeedbackPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly problems: ProblemStore;
  readonly files: ResultFiles;
  readonly grants: HeldGrants;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  readonly now: () => Date;
  readonly newId: () => string;
}

const entryAudit = (actor: Principal, p: QualityProblem, action: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor: actor.userId,
  orgCode: actor.orgCode,
  action,
  target: `PROBLEM#${p.problemId}`,
  outcome: 'success',
  requestId,
  detail: { resultNumber: p.resultNumber, ...detail },
});

/** A file matches itself; a layer (folder) matches every file under it. */
export function fileKnown(paths: readonly string[], file: string): boolean {
  const f = file.replace(/^\/+|\/+$/g, '');
  return paths.some((p) => p === f || p.startsWith(`${f}/`));
}

/**
 * POST /feedback/problems.
 *
 * Primary course:
 *  1. the result exists and the reporter can read it (else 404, the clearance rule);
 *  2. the reporter is a custodian of the result's custodian organisation, or a requester whose organisation holds
 *     (or held) a sharing grant naming the result (else 403; NO_GRANT for a requester without one);
 *  3. the file or layer is one of the verified package's (else 400 naming body.file);
 *  4. the problem is stored with its first step, R19.2's clock started for the custodian and
 *     R19.2.reported counted — one transaction with its audit record.
 */
export async function reportProblem(
  ports: FeedbackPorts,
  cmd: { actor: Principal; resultNumber: string; file: string; location: ProblemLocation; description: string; severity: Severity; requestId: string },
): Promise<QualityProblem> {
  const entry = await visibleEntry(ports.catalogue, cmd.actor, cmd.resultNumber);
  const isCustodian = cmd.actor.roles.includes('custodian') && cmd.actor.orgCode === entry.custodian;
  if (!isCustodian && !cmd.actor.roles.includes('requester')) {
    throw new ForbiddenError(`只有成果需求人或保管单位（${entry.custodian}）的成果保管人可以报告质量问题`);
  }
  if (!isCustodian && !(await ports.grants.heldBy(cmd.actor.orgCode, entry.resultNumber))) {
    throw new NoGrantError(`本单位没有成果 ${entry.resultNumber} 的共享授权，不能报告其质量问题；请先申请共享`);
  }
  if (!cmd.location.bbox && !(cmd.location.featureIds?.length)) throw invalid('body.location', '请填写问题位置：范围（bbox）或要素编号（featureIds）', 'LOCATION_MISSING');
  const paths = await ports.files.list(entry);
  if (!fileKnown(paths, cmd.file)) throw invalid('body.file', `成果 ${entry.resultNumber} 中没有文件或图层“${cmd.file}”`, 'UNKNOWN_FILE');
  const now = ports.now();
  const at = now.toISOString();
  const today = chinaDate(now);
  const due = (await ports.calendar()).deadline(today, problemDecisionDue.days);
  const problemId = `QP-${today.replaceAll('-', '')}-${ports.newId()}`;
  const problem: QualityProblem = {
    problemId,
    resultNumber: entry.resultNumber,
    classification: entry.classification,
    custodianOrg: entry.custodian,
    organiserOrg: entry.organiserOrg,
    implementerOrg: entry.provider,
    submissionId: entry.submissionId,
    taskId: entry.taskId,
    file: cmd.file.replace(/^\/+|\/+$/g, ''),
    location: cmd.location,
    description: cmd.description,
    severity: cmd.severity,
    reportedBy: cmd.actor.userId,
    reporterOrg: cmd.actor.orgCode,
    reportedAt: at,
    decisionDue: due.due,
    state: 'reported',
    timeline: [{ state: 'reported', at, by: cmd.actor.userId, byName: cmd.actor.name, note: cmd.description }],
  };
  await ports.problems.create(
    problem,
    withSupervision(
      entryAudit(cmd.actor, problem, 'feedback.problem.report', cmd.requestId, { file: problem.file, severity: problem.severity, decisionDue: due.due, requirement: 'R19.2' }),
      {
        start: [{ type: problemDecisionDue.id, subject: problemId, ownerOrg: entry.custodian, regionCode: entry.spatialScope.regionCode, title: entry.name, start: today, due: due.due, provisional: due.provisional, basis: due.basis }],
        count: [{ org: entry.custodian, metric: 'R19.2.reported' }, ...evaluationCounts([{ custodianOrg: entry.custodian, organiserOrg: entry.organiserOrg }], 'R19.2.reported')],
      },
      at,
    ),
  );
  return problem;
}

/** The problems of a result the reader can read (clearance rule on the entry), newest first. */
export async function listProblems(ports: { catalogue: FeedbackPorts['catalogue']; problems: Pick<ProblemStore, 'listFor'> }, cmd: { actor: Principal; resultNumber: string }): Promise<{ problems: QualityProblem[]; qualityStatus?: string }> {
  const entry = await visibleEntry(ports.catalogue, cmd.actor, cmd.resultNumber);
  const problems = await ports.problems.listFor(entry.resultNumber);
  const open = problems.some((p) => openStates.includes(p.state));
  return { problems, ...(open ? { qualityStatus: qualityStatusLabel } : {}) };
}

/**
 * GET /feedback/problems (issue 13, the console's 质量问题处理): a custodian's problems across every result it
 * holds (R19.2: what waits for its decision, with the clock's due date and the working days left), or, for the
 * organiser's reviewer, the escalated ones of its results (R19.3: to verify). Newest first, a page at a time;
 * filtered by state, severity and result. Each problem passes the clearance rule on its entry as the single
 * result's list does (GET /feedback/results/{n}/problems answers 404 above it): a result above the reader's
 * clearance is left out. The key query's pages are read until `limit` rows are found (at most 10 pages).
 */
export async function listOrgProblems(
  ports: { catalogue: FeedbackPorts['catalogue']; problems: Pick<ProblemStore, 'listByOrg'>; calendar: () => Promise<WorkingDayCalendar>; now: () => Date },
  cmd: { actor: Principal; side?: ProblemListSide; state?: ProblemState; severity?: Severity; resultNumber?: string; limit: number; cursor?: string },
): Promise<{ org: string; side: ProblemListSide; today: string; problems: Array<QualityProblem & { workingDaysLeft?: number; overdue: boolean }>; cursor?: string }> {
  const side: ProblemListSide = cmd.side ?? (cmd.actor.roles.includes('custodian') ? 'custodian' : 'organiser');
  if (side === 'custodian' && !cmd.actor.roles.includes('custodian')) throw new ForbiddenError('只有成果保管人可以查看本保管单位的质量问题');
  if (side === 'organiser' && !cmd.actor.roles.includes('reviewer')) throw new ForbiddenError('只有组织单位的审核人员可以查看待核实的重大质量问题');
  const org = cmd.actor.orgCode;
  const today = chinaDate(ports.now());
  const calendar = await ports.calendar();
  const visible = new Map<string, boolean>();
  const seeable = async (resultNumber: string) => {
    if (!visible.has(resultNumber)) {
      try {
        await visibleEntry(ports.catalogue, cmd.actor, resultNumber);
        visible.set(resultNumber, true);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        visible.set(resultNumber, false);
      }
    }
    return visible.get(resultNumber)!;
  };
  const out: Array<QualityProblem & { workingDaysLeft?: number; overdue: boolean }> = [];
  let cursor = cmd.cursor;
  for (let pages = 0; pages < 10 && out.length < cmd.limit; pages += 1) {
    const page = await ports.problems.listByOrg(side, org, { limit: cmd.limit, ...(cursor ? { cursor } : {}) });
    let taken = 0;
    for (const p of page.problems) {
      taken += 1;
      cursor = `${p.reportedAt}#${p.problemId}`;
      if (cmd.state && p.state !== cmd.state) continue;
      if (cmd.severity && p.severity !== cmd.severity) continue;
      if (cmd.resultNumber && p.resultNumber !== cmd.resultNumber) continue;
      if (!(await seeable(p.resultNumber))) continue;
      out.push({
        ...p,
        ...(p.state === 'reported' ? { workingDaysLeft: calendar.workingDaysLeft(p.decisionDue, today) } : {}),
        overdue: p.state === 'reported' && today > p.decisionDue,
      });
      if (out.length >= cmd.limit) break;
    }
    const rest = taken < page.problems.length || page.cursor !== undefined;
    if (!rest) {
      cursor = undefined;
      break;
    }
    if (out.length >= cmd.limit) break;
    if (taken === page.problems.length) cursor = page.cursor;
  }
  return { org, side, today, problems: out, ...(cursor ? { cursor } : {}) };
}

/**
 * GET /catalogue/{resultNumber} with the quality status (R19.3): 质量问题处理中 while a confirmed 重大
 * problem is open (escalated, ordered to correct, correction under verification); cleared once fixed or dismissed.
 */
export async function entryWithQualityStatus(
  ports: { catalogue: Parameters<typeof getCatalogueEntry>[0]['catalogue']; problems: Pick<ProblemStore, 'listFor'> },
  cmd: { actor: Principal; resultNumber: string },
): Promise<EntryView & { qualityStatus?: string }> {
  const entry = await getCatalogueEntry(ports, cmd);
  const open = (await ports.problems.listFor(entry.resultNumber)).some((p) => openStates.includes(p.state));
  return { ...entry, ...(open ? { qualityStatus: qualityStatusLabel } : {}) };
}

export async function readProblem(ports: { catalogue: FeedbackPorts['catalogue']; problems: Pick<ProblemStore, 'get'> }, actor: Principal, problemId: string): Promise<QualityProblem> {
  const problem = await ports.problems.get(problemId);
  const message = `质量问题 ${problemId} 不存在`;
  if (!problem) throw new NotFoundError(message);
  await visibleEntry(ports.catalogue, actor, problem.resultNumber, message);
  return problem;
}

/**
 * POST /feedback/problems/{problemId}/decision — the custodian confirms or rejects with reasons.
 * R19.2's clock is met (on time or late); a confirmed problem counts R19.2.confirmed; a confirmed
 * 重大 problem is escalated to the organiser at once (state escalated, R19.3.escalated) and its verification
 * task starts (ProblemVerification, execution verify-<problemId>).
 * The same decision again changes nothing (changed=false); another decision after one → 409.
 */
export async function decideProblem(
  ports: Pick<FeedbackPorts, 'catalogue' | 'problems' | 'now'> & { workflow?: Pick<Workflow, 'start'> },
  cmd: { actor: Principal; problemId: string; decision: 'confirm' | 'reject'; reasons: string; requestId: string },
): Promise<{ problem: QualityProblem; changed: boolean }> {
  const problem = await readProblem(ports, cmd.actor, cmd.problemId);
  if (!cmd.actor.roles.includes('custodian') || cmd.actor.orgCode !== problem.custodianOrg) {
    throw new ForbiddenError(`只有保管单位（${problem.custodianOrg}）的成果保管人可以确认或驳回质量问题`);
  }
  const target: ProblemState = cmd.decision === 'reject' ? 'rejected' : problem.severity === '重大' ? 'escalated' : 'confirmed';
  if (problem.state !== 'reported') {
    const decided = problem.timeline.find((s) => s.state !== 'reported');
    // A confirmed 重大 problem's first step after the report is `confirmed` (then `escalated`).
    const same = decided && (decided.state === target || (target === 'escalated' && decided.state === 'confirmed'));
    if (same) {
      // A retried confirmation: the verification starts if the first attempt stopped before it (same execution name).
      if (problem.state === 'escalated') await startVerification(ports, problem);
      return { problem, changed: false };
    }
    throw new ConflictError('PROBLEM_DECIDED', `质量问题 ${problem.problemId} 已处理（${problemStateLabels[problem.state]}），不能再改`);
  }
  const at = ports.now().toISOString();
  const step = (state: ProblemState, note: string): ProblemStep => ({ state, at, by: cmd.actor.userId, byName: cmd.actor.name, note });
  const timeline = [...problem.timeline, step(cmd.decision === 'reject' ? 'rejected' : 'confirmed', cmd.reasons)];
  if (target === 'escalated') timeline.push(step('escalated', '重大质量问题，提请组织单位核实'));
  const next: QualityProblem = { ...problem, state: target, timeline };
  const count: CountIncrement[] = cmd.decision === 'confirm' ? [{ org: problem.custodianOrg, metric: 'R19.2.confirmed' }, ...evaluationCounts([problem], 'R19.2.confirmed')] : [];
  if (target === 'escalated') count.push({ org: problem.organiserOrg, metric: 'R19.3.escalated' });
  await ports.problems.update(
    next,
    'reported',
    withSupervision(
      entryAudit(cmd.actor, next, `feedback.problem.${cmd.decision}`, cmd.requestId, { reasons: cmd.reasons, state: target, requirement: target === 'escalated' ? 'R19.3' : 'R19.2' }),
      { meet: [{ type: problemDecisionDue.id, subject: problem.problemId }], ...(count.length ? { count } : {}) },
      at,
    ),
  );
  if (target === 'escalated') await startVerification(ports, next);
  return { problem: next, changed: true };
}

/** R19.3: the organiser's verification task (ProblemVerification, one execution per problem). Without a workflow (the demo's direct writes) none starts. */
async function startVerification(ports: { workflow?: Pick<Workflow, 'start'> }, problem: QualityProblem): Promise<void> {
  if (ports.workflow) await ports.workflow.start(problemVerificationStateMachine, verificationExecutionName(problem.problemId), { problemId: problem.problemId });
}

/**
 * POST /feedback/problems/{problemId}/verification — the organiser's reviewer verifies an
 * escalated 重大 problem (R19.3): upheld → the responsibility finding (who, what, conclusion)
 * is recorded and the implementer is ordered to correct it (state correcting); not upheld →
 * dismissed with the reasons. Same outcome again → changed=false; the other → 409.
 */
export interface VerifyPorts extends Pick<FeedbackPorts, 'catalogue' | 'problems' | 'now'> {
  readonly identity: Pick<IdentityRepository, 'listUsers' | 'getUser'>;
  readonly mailer: Mailer;
  readonly appBaseUrl: string;
}

export async function verifyProblem(
  ports: VerifyPorts,
  cmd: { actor: Principal; problemId: string; upheld: boolean; note: string; finding?: ResponsibilityFinding; requestId: string },
): Promise<{ problem: QualityProblem; changed: boolean; ordered: string[] }> {
  const problem = await readProblem(ports, cmd.actor, cmd.problemId);
  if (!cmd.actor.roles.includes('reviewer') || cmd.actor.orgCode !== problem.organiserOrg) {
    throw new ForbiddenError(`只有组织单位（${problem.organiserOrg}）的审核人员可以核实重大质量问题`);
  }
  return applyVerification(ports, problem, {
    by: { userId: cmd.actor.userId, name: cmd.actor.name, orgCode: cmd.actor.orgCode },
    upheld: cmd.upheld,
    note: cmd.note,
    ...(cmd.finding ? { finding: cmd.finding } : {}),
    requestId: cmd.requestId,
  });
}

/**
 * The verification itself, whoever decided it (the route's reviewer, or the emailed task's decider through the
 * ProblemVerification machine): same outcome again → changed=false; not escalated → 409; upheld needs the finding.
 */
export async function applyVerification(
  ports: Omit<VerifyPorts, 'catalogue'>,
  problem: QualityProblem,
  cmd: { by: { userId: string; name: string; orgCode: string }; upheld: boolean; note: string; finding?: ResponsibilityFinding; requestId: string },
): Promise<{ problem: QualityProblem; changed: boolean; ordered: string[] }> {
  const target: ProblemState = cmd.upheld ? 'correcting' : 'dismissed';
  if (problem.state === target) return { problem, changed: false, ordered: [] };
  if (problem.state !== 'escalated') throw new ConflictError('PROBLEM_NOT_ESCALATED', `质量问题 ${problem.problemId} 当前为“${problemStateLabels[problem.state]}”，不在待核实状态`);
  if (cmd.upheld && !cmd.finding) throw invalid('body.finding', '责令改正时须记录责任认定（责任方、问题、结论）', 'FINDING_MISSING');
  const at = ports.now().toISOString();
  const next: QualityProblem = {
    ...problem,
    state: target,
    timeline: [...problem.timeline, { state: target, at, by: cmd.by.userId, byName: cmd.by.name, note: cmd.note }],
    ...(cmd.upheld && cmd.finding ? { finding: cmd.finding } : {}),
  };
  const audit: AuditEntry = {
    actor: cmd.by.userId,
    orgCode: cmd.by.orgCode,
    action: cmd.upheld ? 'feedback.problem.order-correction' : 'feedback.problem.dismiss',
    target: `PROBLEM#${problem.problemId}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { resultNumber: problem.resultNumber, note: cmd.note, ...(cmd.finding ? { finding: cmd.finding } : {}), implementerOrg: problem.implementerOrg, requirement: 'R19.3' },
  };
  await ports.problems.update(next, 'escalated', audit);
  if (!cmd.upheld || !next.finding) return { problem: next, changed: true, ordered: [] };
  // The order to correct: every submitter of the implementer (the email names the result by number only; its name may be above a recipient's clearance).
  const ordered = (await ports.identity.listUsers(next.implementerOrg)).filter((u) => u.roles.includes('submitter')).map((u) => u.email).sort();
  if (ordered.length > 0) await ports.mailer.send({ to: ordered, ...correctionOrderMail(next, next.finding, ports.appBaseUrl) });
  return { problem: next, changed: true, ordered };
}

function correctionOrderMail(p: QualityProblem, f: ResponsibilityFinding, appBaseUrl: string): { subject: string; text: string; html: string } {
  // Console pages (signed in), never API routes: the upload page of the correction and the result's 成果详情.
  const upload = `${consoleUrl(appBaseUrl, 'survey-tasks', p.taskId ?? '', 'upload')}?correction=${encodeURIComponent(p.submissionId ?? '')}`;
  const link = consoleUrl(appBaseUrl, 'catalogue', p.resultNumber);
  const subject = `【责令改正】成果 ${p.resultNumber} 的重大质量问题（${p.problemId}）`;
  const lines = [
    `经组织单位核实，成果 ${p.resultNumber} 存在重大质量问题，请贵单位改正后作为新版本重新汇交，经核验通过后替换现有版本。`,
    `问题编号：${p.problemId}`,
    `文件或图层：${p.file}`,
    `问题说明：${p.description}`,
    `责任认定：责任方 ${f.who}；问题 ${f.what}；结论 ${f.conclusion}`,
    ...(p.submissionId
      ? [
          `提交更正版本（汇交 ${p.submissionId} 的下一版，经正常上传与核验）：工作台 ${upload}，或命令行 chengguo upload <更正后的成果包目录> --submission ${p.submissionId} --correction`,
        ]
      : []),
    `在工作台查看成果详情：${link}`,
  ];
  return { subject, text: lines.join('\n'), html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') };
}

/** The view the routes return (the state with its Chinese label). */
export function problemView(p: QualityProblem): QualityProblem & { stateLabel: string } {
  return { ...p, stateLabel: problemStateLabels[p.state] };
}

/** The documents bucket's presigned URLs for attachments (adapters/s3-feedback-attachments.ts): bytes never pass through a function. */
export interface AttachmentFiles {
  presignPut(key: string, opts: { sha256: string; size: number; contentType: string; expiresInSeconds: number }): Promise<{ url: string; headers: Record<string, string>; expiresAt: string }>;
  presignGet(key: string, opts: { expiresInSeconds: number; fileName: string }): Promise<string>;
}

const closedStates: readonly ProblemState[] = ['rejected', 'dismissed', 'fixed'];
const extensionOf: Record<AttachmentContentType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/geo+json': 'geojson' };
export const attachmentKey = (problemId: string, n: number, sha256: string, contentType: AttachmentContentType) => `feedback/${problemId}/${n}-${sha256.slice(0, 16)}.${extensionOf[contentType]}`;

/**
 * POST /feedback/problems/{problemId}/attachments (R19.2): the reporter declares one file (name, type, size,
 * SHA-256) and gets a presigned write-once PUT of minutes on the documents bucket, whose SHA-256, length and
 * If-None-Match are signed headers (S3 refuses other bytes).
 *  1. the problem is readable (clearance rule on its result, else 404) and the actor reported it (else 403);
 *  2. the problem is still open (rejected, dismissed or fixed → 409 PROBLEM_CLOSED);
 *  3. the same SHA-256 declared again: the same attachment, a fresh PUT, nothing written (changed=false);
 *  4. at most maxAttachments (409 TOO_MANY_ATTACHMENTS); a GeoJSON at most maxGeoJsonBytes (400 naming body.size);
 *  5. listed on the problem with its size and checksum: conditional on the state and the attachments read, audited.
 */
export async function declareAttachment(
  ports: { catalogue: FeedbackPorts['catalogue']; problems: ProblemStore; attachments: Pick<AttachmentFiles, 'presignPut'>; now: () => Date },
  cmd: { actor: Principal; problemId: string; name: string; contentType: AttachmentContentType; size: number; sha256: string; requestId: string },
): Promise<{ problem: QualityProblem; attachment: ProblemAttachment; upload: { url: string; headers: Record<string, string>; expiresAt: string }; changed: boolean }> {
  const problem = await readProblem(ports, cmd.actor, cmd.problemId);
  if (problem.reportedBy !== cmd.actor.userId) throw new ForbiddenError(`只有报告人可以为质量问题 ${problem.problemId} 添加附件`);
  if (closedStates.includes(problem.state)) throw new ConflictError('PROBLEM_CLOSED', `质量问题 ${problem.problemId} 已办结（${problemStateLabels[problem.state]}），不能再添加附件`);
  const sha256 = cmd.sha256.toLowerCase();
  const present = problem.attachments ?? [];
  const presign = (a: ProblemAttachment) => ports.attachments.presignPut(a.key, { sha256: a.sha256, size: a.size, contentType: a.contentType, expiresInSeconds: attachmentUrlSeconds });
  const same = present.find((a) => a.sha256 === sha256);
  if (same) return { problem, attachment: same, upload: await presign(same), changed: false };
  if (present.length >= maxAttachments) throw new ConflictError('TOO_MANY_ATTACHMENTS', `每个质量问题最多 ${maxAttachments} 个附件，已有 ${present.length} 个`);
  if (cmd.contentType === 'application/geo+json' && cmd.size > maxGeoJsonBytes) throw invalid('body.size', `GeoJSON 附件不超过 ${maxGeoJsonBytes / 1024 / 1024} MB`, 'TOO_LARGE');
  const at = ports.now().toISOString();
  const n = present.length + 1;
  const attachment: ProblemAttachment = { n, name: cmd.name.trim(), contentType: cmd.contentType, size: cmd.size, sha256, key: attachmentKey(problem.problemId, n, sha256, cmd.contentType), declaredBy: cmd.actor.userId, declaredAt: at };
  const next: QualityProblem = { ...problem, attachments: [...present, attachment] };
  await ports.problems.update(
    next,
    problem.state,
    entryAudit(cmd.actor, next, 'feedback.problem.attachment', cmd.requestId, { n, name: attachment.name, contentType: attachment.contentType, size: attachment.size, sha256, key: attachment.key, requirement: 'R19.2' }),
    present.length,
  );
  return { problem: next, attachment, upload: await presign(attachment), changed: true };
}

/**
 * GET /feedback/problems/{problemId}/attachments/{n} (R19.2): 302 to a presigned GET of minutes on the documents
 * bucket — the bytes never pass through a function. Readable by the reporter, the result's custodian organisation
 * and its organiser organisation (others 403; the result above the reader's clearance 404); every link issued is
 * audited (`feedback.problem.attachment.read`) before it is returned.
 */
export async function attachmentLink(
  ports: { catalogue: FeedbackPorts['catalogue']; problems: Pick<ProblemStore, 'get'>; attachments: Pick<AttachmentFiles, 'presignGet'>; trail: AuditTrail },
  cmd: { actor: Principal; problemId: string; n: number; requestId: string },
): Promise<{ url: string; attachment: ProblemAttachment }> {
  const problem = await readProblem(ports, cmd.actor, cmd.problemId);
  const allowed = problem.reportedBy === cmd.actor.userId || cmd.actor.orgCode === problem.custodianOrg || cmd.actor.orgCode === problem.organiserOrg;
  if (!allowed) throw new ForbiddenError(`质量问题 ${problem.problemId} 的附件只有报告人、保管单位（${problem.custodianOrg}）和组织单位（${problem.organiserOrg}）可以查看`);
  const attachment = (problem.attachments ?? []).find((a) => a.n === cmd.n);
  if (!attachment) throw new NotFoundError(`质量问题 ${problem.problemId} 没有第 ${cmd.n} 个附件`);
  await ports.trail.append(entryAudit(cmd.actor, problem, 'feedback.problem.attachment.read', cmd.requestId, { n: attachment.n, sha256: attachment.sha256, key: attachment.key, requirement: 'R19.2' }));
  return { url: await ports.attachments.presignGet(attachment.key, { expiresInSeconds: attachmentUrlSeconds, fileName: attachment.name }), attachment };
}
