import * as z from 'zod/mini';
import { NotFoundError } from '#shared/errors.ts';
import { entryRecord } from '#shared/catalogue/catalogue.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { OutcomePorts } from '#shared/ports/submission.ts';
import { classificationLabels } from '#shared/reference/classifications.ts';
import { themeProfiles } from '#shared/reference/themes.ts';
import type { Role } from '#shared/identity/roles.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named } from '#shared/tasks/mail.ts';
import { formatBytes } from '#shared/verification/report-html.ts';
import { reviewSummary } from '#shared/verification/review-task.ts';
import { approvalWords, publicationStatusLabels, reviewWords, type PublicationRequest, type PublicationRequestStore } from './request-store.ts';
import { publicationWithdrawalKindId, withdrawalWords } from './withdrawal-words.ts';

/**
 * The two human-task kinds of publication:
 *  - publicationReview (保密审查): the organiser's publishers (发布审批人) read the desensitisation record,
 *    the release package's verification report and its files, and decide 审查通过 / 退回修改;
 *  - publicationApproval (发布审批, R12.1–R12.3): each approving department the authority table named decides
 *    同意发布 / 不予发布; in a joint approval (R12.2) each page shows the other department's decision.
 */
export const publicationReviewKindId = 'publicationReview';
export const publicationApprovalKindId = 'publicationApproval';

export const reviewSubjectSchema = z.object({ requestId: z.string().check(z.minLength(1)), round: z.number().check(z.int()).check(z.gte(1)) });
export const approvalSubjectSchema = z.object({
  requestId: z.string().check(z.minLength(1)),
  round: z.number().check(z.int()).check(z.gte(1)),
  approver: z.number().check(z.int()).check(z.gte(0)).check(z.lte(1)),
});

/**
 * The confidentiality review is the organiser's: its 发布审批人 (刘洋 at 广东省自然资源厅 in the demo), or, where the
 * organiser has none (a city bureau), its 审核人.
 */
export const confidentialityReviewRole: Role = 'publisher';
async function reviewRoleAt(identity: Pick<IdentityRepository, 'listUsers'>, org: string): Promise<Role> {
  return (await identity.listUsers(org)).some((u) => u.roles.includes('publisher')) ? 'publisher' : 'reviewer';
}

/** Files listed on the review page; the rest are counted. */
export const filesOnPage = 200;

export interface PublicationKindPorts extends OutcomePorts {
  readonly identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser' | 'listUsers'>;
  readonly documents: DocumentStore;
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly publications: Pick<PublicationRequestStore, 'get'>;
}

async function loadRequest(ports: Pick<PublicationKindPorts, 'publications'>, requestId: string): Promise<PublicationRequest> {
  const r = await ports.publications.get(requestId);
  if (!r) throw new NotFoundError(`发布申请 ${requestId} 不存在`);
  return r;
}

/** What both kinds show: the release version, its source, the request's state and rule. */
async function releaseSummary(ports: PublicationKindPorts, r: PublicationRequest, round: number) {
  const releaseNumber = r.rounds.find((x) => x.round === round)?.releaseNumber ?? r.releaseNumber;
  const entry = await ports.catalogue.getEntry(releaseNumber);
  if (!entry) throw new NotFoundError(`发布版本 ${releaseNumber} 不存在`);
  const record = r.rounds.find((x) => x.round === round);
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  return {
    entry,
    record,
    view: {
      requestId: r.requestId,
      status: r.status,
      statusLabel: publicationStatusLabels[r.status],
      round,
      release: {
        releaseNumber,
        sourceNumber: r.sourceNumber,
        name: entry.name,
        themeLabel: themeProfiles[entry.theme].label,
        classificationLabel: classificationLabels[entry.classification],
        organiser: named(await orgName(r.organiserOrg), r.organiserOrg),
        submissionId: entry.submissionId,
      },
      desensitisation: record?.desensitisation ?? null,
      rule: r.resolution,
      rounds: r.rounds,
      ...(r.embargoUntil ? { embargoUntil: r.embargoUntil } : {}),
      ...(r.programme ? { programme: r.programme } : {}),
    },
  };
}

/** The release version of the task's round, for the access rule (both kinds' subjects carry requestId and round). */
async function protects(ports: PublicationKindPorts, subject: HumanTaskSubject) {
  const r = await ports.publications.get(String(subject['requestId']));
  const number = r?.rounds.find((x) => x.round === subject['round'])?.releaseNumber;
  const entry = number ? await ports.catalogue.getEntry(number) : undefined;
  return entry ? entryRecord(entry) : undefined;
}

export function publicationReviewKind(ports: PublicationKindPorts): HumanTaskKind<typeof publicationReviewKindId> {
  return {
    kind: publicationReviewKindId,
    label: '发布版本保密审查',
    role: confidentialityReviewRole,

    protects: (subject) => protects(ports, subject),

    async describe(subject) {
      const { requestId, round } = reviewSubjectSchema.parse(subject);
      const r = await loadRequest(ports, requestId);
      const { view, record } = await releaseSummary(ports, r, round);
      return {
        title: `发布版本保密审查：${view.release.name}（${view.release.releaseNumber}，第 ${round} 轮）`,
        assigneeOrg: r.organiserOrg,
        role: await reviewRoleAt(ports.identity, r.organiserOrg),
        details: [
          `发布版本：${view.release.releaseNumber}（源成果 ${r.sourceNumber}，${view.release.themeLabel}），发布密级：${view.release.classificationLabel}`,
          `脱密脱敏：${record?.desensitisation ? `${record.desensitisation.changes.length} 项，依据 ${record.desensitisation.basisDocument}` : '无（源成果公开）'}`,
          `审查后送：${r.resolution.explanation}`,
        ],
      };
    },


    async summary(task) {
      const { requestId, round } = reviewSubjectSchema.parse(task.subject);
      const r = await loadRequest(ports, requestId);
      const { view, entry } = await releaseSummary(ports, r, round);
      const submission = await ports.store.getSubmission(entry.submissionId);
      const version = submission ? await ports.store.getVersion(submission.submissionId, submission.currentVersion) : undefined;
      const pkg = submission && version ? await reviewSummary({ ...ports, identity: ports.identity as IdentityRepository, humanTasks: { listBySubject: async () => [] } }, submission, version, version.n) : undefined;
      const files = version ? await ports.store.listFiles(entry.submissionId, version.n, version.manifestId, { limit: filesOnPage }) : [];
      return {
        kind: publicationReviewKindId,
        words: reviewWords,
        ...view,
        package: pkg ? { submission: pkg.submission, version: pkg.version, report: pkg.report } : null,
        files: { count: version?.fileCount ?? 0, totalSize: formatBytes(version?.totalBytes ?? 0), listed: files.map((f) => ({ path: f.path, size: f.size, sizeLabel: formatBytes(f.size) })) },
      };
    },
  };
}

export function publicationApprovalKind(ports: PublicationKindPorts): HumanTaskKind<typeof publicationApprovalKindId> {
  const approverOf = (r: PublicationRequest, i: number) => {
    const a = r.approvals[i];
    if (!a) throw new NotFoundError(`审批单位 ${i} 不存在`);
    return a;
  };
  return {
    kind: publicationApprovalKindId,
    label: '成果发布审批',
    role: 'publisher',

    protects: (subject) => protects(ports, subject),

    async describe(subject) {
      const { requestId, round, approver } = approvalSubjectSchema.parse(subject);
      const r = await loadRequest(ports, requestId);
      const me = approverOf(r, approver);
      const { view } = await releaseSummary(ports, r, round);
      const others = r.approvals.filter((_, i) => i !== approver);
      return {
        title: `成果发布审批：${view.release.name}（${view.release.releaseNumber}）`,
        assigneeOrg: me.orgCode,
        role: me.role as Role,
        details: [
          `发布版本：${view.release.releaseNumber}（源成果 ${r.sourceNumber}），发布密级：${view.release.classificationLabel}`,
          `适用规则：${r.resolution.explanation}`,
          ...(others.length > 0 ? [`联合审批（R12.2）：${r.approvals.map((a) => a.orgCode).join(' 与 ')} 均同意方可发布`] : []),
          // R12.2: closed because the other department refused — the page says why.
          ...(me.closed ? [`此审批已关闭：${me.closed.reason}`] : []),
        ],
      };
    },


    async summary(task) {
      const { requestId, round, approver } = approvalSubjectSchema.parse(task.subject);
      const r = await loadRequest(ports, requestId);
      const { view } = await releaseSummary(ports, r, round);
      const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
      const others = await Promise.all(
        r.approvals.flatMap((a, i) =>
          i === approver
            ? []
            : [
                (async () => ({
                  orgCode: a.orgCode,
                  orgName: await orgName(a.orgCode),
                  decided: !!a.decision,
                  decisionLabel: a.decision ? (a.decision.decision === 'approve' ? approvalWords.approve : approvalWords.ret) : a.closed ? '未作决定（申请已结束）' : '尚未决定',
                  reasons: a.decision?.reasons ?? '',
                  decidedBy: a.decision?.decidedBy ?? '',
                  decidedAt: a.decision?.decidedAt ?? '',
                }))(),
              ],
        ),
      );
      const me = approverOf(r, approver);
      return {
        kind: publicationApprovalKindId,
        words: approvalWords,
        ...view,
        approver: { orgCode: me.orgCode, orgName: await orgName(me.orgCode) },
        otherDecisions: others,
        ...(me.closed ? { closed: me.closed } : {}),
      };
    },
  };
}

// ---- withdrawal (撤回审批, issue 15 step 8) ------------------------------------------------------------------------

export { publicationWithdrawalKindId };
export const withdrawalSubjectShape = z.object({
  releaseNumber: z.string().check(z.minLength(1)),
  k: z.number().check(z.int()).check(z.gte(1)),
  approver: z.number().check(z.int()).check(z.gte(0)).check(z.lte(1)),
});
const withdrawalStatusLabels = { pending: '撤回审批中', approved: '已同意撤回', refused: '不予撤回' } as const;

/**
 * publicationWithdrawal (撤回审批): each approving department the authority table names for the release decides
 * 同意撤回 / 不予撤回 on a request to withdraw it; the page shows the release, the request's reason and who asked,
 * the rule and, in a joint decision, the other department's decision.
 */
export function publicationWithdrawalKind(ports: PublicationKindPorts): HumanTaskKind<typeof publicationWithdrawalKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { releaseNumber, k, approver } = withdrawalSubjectShape.parse(subject);
    const entry = await ports.catalogue.getEntry(releaseNumber);
    const w = entry?.release?.withdrawalRequests?.find((x) => x.k === k);
    if (!entry || !w) throw new NotFoundError(`发布版本 ${releaseNumber} 的撤回申请 ${k} 不存在`);
    const me = w.approvals[approver];
    if (!me) throw new NotFoundError(`审批单位 ${approver} 不存在`);
    return { entry, w, me, approver };
  };
  const orgName = async (code: string) => (await ports.identity.getOrganisation(code))?.name ?? code;
  return {
    kind: publicationWithdrawalKindId,
    label: '发布版本撤回审批',
    role: 'publisher',

    protects: async (subject) => {
      const entry = await ports.catalogue.getEntry(String(subject['releaseNumber']));
      return entry ? entryRecord(entry) : undefined;
    },

    async describe(subject) {
      const { entry, w, me } = await load(subject);
      return {
        title: `撤回审批：${entry.name}（${entry.resultNumber}）`,
        assigneeOrg: me.orgCode,
        role: me.role as Role,
        details: [
          `发布版本：${entry.resultNumber}（源成果 ${entry.release?.sourceNumber ?? ''}），已于 ${entry.release?.releasedAt?.slice(0, 10) ?? ''} 发布`,
          `撤回原因：${w.reason}（申请人 ${w.requestedBy}，${w.requestedByOrg}）`,
          `适用规则：${w.explanation}`,
          ...(w.joint ? [`共同决定（R12.2）：${w.approvals.map((a) => a.orgCode).join(' 与 ')} 均同意方可撤回`] : []),
          ...(me.closed ? [`此审批已关闭：${me.closed.reason}`] : []),
        ],
      };
    },

    async summary(task) {
      const { entry, w, me, approver } = await load(task.subject);
      const word = (d: { decision: string } | undefined) => (d ? (d.decision === 'approve' ? withdrawalWords.approve : withdrawalWords.ret) : undefined);
      return {
        kind: publicationWithdrawalKindId,
        words: withdrawalWords,
        withdrawal: {
          id: w.id,
          status: w.status,
          statusLabel: withdrawalStatusLabels[w.status],
          reason: w.reason,
          requestedBy: w.requestedBy,
          requestedByOrg: named(await orgName(w.requestedByOrg), w.requestedByOrg),
          requestedAt: w.requestedAt,
          rule: `${w.ruleId}（权限表第 ${w.tableVersion} 版）：${w.explanation}`,
        },
        release: {
          releaseNumber: entry.resultNumber,
          sourceNumber: entry.release?.sourceNumber ?? '',
          name: entry.name,
          themeLabel: themeProfiles[entry.theme].label,
          classificationLabel: classificationLabels[entry.classification],
          state: entry.release?.state ?? '',
          releasedAt: entry.release?.releasedAt ?? '',
          files: String(entry.release?.files?.length ?? 0),
        },
        approver: { orgCode: me.orgCode, orgName: await orgName(me.orgCode) },
        otherDecisions: await Promise.all(
          w.approvals.flatMap((a, i) =>
            i === approver
              ? []
              : [
                  (async () => ({
                    orgCode: a.orgCode,
                    orgName: await orgName(a.orgCode),
                    decided: !!a.decision,
                    decisionLabel: word(a.decision) ?? (a.closed ? '未作决定（申请已结束）' : '尚未决定'),
                    reasons: a.decision?.reasons ?? '',
                    decidedBy: a.decision?.decidedBy ?? '',
                    decidedAt: a.decision?.decidedAt ?? '',
                  }))(),
                ],
          ),
        ),
        ...(me.closed ? { closed: me.closed } : {}),
      };
    },
  };
}
