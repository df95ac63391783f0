import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import { classificationLabels, classifications, type Classification } from '#shared/reference/classifications.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { requireVisible, visibleTo, type ProtectedRecord } from '#shared/security/access.ts';
import { withSupervision } from './clocks.ts';
import { invalid, orgTree, requireSupervisionScope } from './scope.ts';

/**
 * The confidentiality review (保密审查, R20.1; issue 14 §3): before a catalogue
 * entry is made public or its classification lowered, a reviewer of its
 * organiser records a decision of its own — who, when, the conclusion and its
 * basis, for one version of one entry and one target classification. The
 * catalogue edit that lowers the classification names an approved review and
 * applies it in its own transaction (once: approved → applied); supervisors
 * list the reviews of their units.
 *
 * The shape is meant for reuse: the publication context's review step (a
 * release version, R11–R12) records the same ConfidentialityReview with
 * `subjectKind: 'release'` through the same store.
 */
export const reviewConclusions = ['approved', 'refused'] as const;
export type ReviewConclusion = (typeof reviewConclusions)[number];
export const reviewConclusionLabels: Record<ReviewConclusion, string> = { approved: '同意（可公开或降密）', refused: '不同意' };
export const reviewStates = ['approved', 'refused', 'applied'] as const;
export type ReviewState = (typeof reviewStates)[number];

export interface ConfidentialityReview {
  readonly reviewId: string;
  readonly subjectKind: 'catalogueEntry' | 'release';
  readonly resultNumber: string;
  /** The entry's version reviewed: a later edit needs a new review. */
  readonly entryVersion: number;
  readonly entryName: string;
  readonly organiserOrg: string;
  readonly custodianOrg: string;
  readonly provider: string;
  readonly fromClassification: Classification;
  readonly toClassification: Classification;
  readonly conclusion: ReviewConclusion;
  /** Chinese: the basis (保密事项范围, 脱密处理情况 …). */
  readonly basis: string;
  readonly decidedBy: string;
  readonly decidedByName: string;
  readonly decidedOrg: string;
  readonly decidedAt: string;
  /** approved → applied when an edit used it (refused stays refused). */
  readonly state: ReviewState;
  readonly appliedAt?: string;
  readonly appliedVersion?: number;
}

export interface ConfidentialityReviewStore {
  get(reviewId: string): Promise<ConfidentialityReview | undefined>;
  /** The reviews of an organiser, newest first (one key query). */
  listOf(org: string): Promise<ConfidentialityReview[]>;
  /** Write-once with its audit entry (its counter in the same transaction). */
  record(review: ConfidentialityReview, entry: AuditEntry): Promise<void>;
}

/** The few fields of the entry a review needs (the catalogue store's getEntry satisfies it). */
export interface ReviewedEntry {
  readonly resultNumber: string;
  readonly name: string;
  readonly version: number;
  readonly classification: Classification;
  readonly organiserOrg: string;
  readonly custodian: string;
  readonly provider: string;
  readonly status: string;
}

const record = (e: ReviewedEntry): ProtectedRecord => ({
  target: `CAT#${e.resultNumber}`,
  classification: e.classification,
  organiserOrg: e.organiserOrg,
  implementerOrg: e.provider,
  custodianOrg: e.custodian,
});

/**
 * POST /supervision/confidentiality-reviews.
 *
 * Primary course:
 *  1. the entry exists and the reviewer's clearance covers it (404 otherwise, as the catalogue);
 *  2. the reviewer is a reviewer or publisher of the entry's organiser (403);
 *  3. the target classification is lower than the entry's (400 naming body.toClassification);
 *  4. the decision is stored write-once with its audit record and counter (`R20.1.confidentialityReviews`).
 */
export async function recordConfidentialityReview(
  ports: { reviews: ConfidentialityReviewStore; entries: { getEntry(resultNumber: string): Promise<ReviewedEntry | undefined> }; now: () => Date; newId: () => string },
  cmd: { actor: Principal; resultNumber: string; toClassification: Classification; conclusion: ReviewConclusion; basis: string; requestId: string },
): Promise<ConfidentialityReview> {
  const entry = await ports.entries.getEntry(cmd.resultNumber);
  const notFound = `成果目录中没有统一编号为 ${cmd.resultNumber} 的条目`;
  if (!entry) throw new NotFoundError(notFound);
  requireVisible(cmd.actor, record(entry), notFound);
  const a = cmd.actor;
  if (a.orgCode !== entry.organiserOrg || !(a.roles.includes('reviewer') || a.roles.includes('publisher'))) {
    throw new ForbiddenError(`保密审查由成果的组织单位（${entry.organiserOrg}）的审核人员或发布审批人员记录`);
  }
  if (entry.status !== 'active') throw new ConflictError('ENTRY_NOT_ACTIVE', `目录条目 ${entry.resultNumber} 不是有效状态，不能进行保密审查`);
  if (classifications.indexOf(cmd.toClassification) >= classifications.indexOf(entry.classification)) {
    throw invalid('body.toClassification', `审查的目标密级（${classificationLabels[cmd.toClassification]}）应低于条目当前密级（${classificationLabels[entry.classification]}）`, 'NOT_LOWER');
  }
  const now = ports.now();
  const at = now.toISOString();
  const review: ConfidentialityReview = {
    reviewId: `CR-${chinaDate(now).replaceAll('-', '')}-${ports.newId()}`,
    subjectKind: 'catalogueEntry',
    resultNumber: entry.resultNumber,
    entryVersion: entry.version,
    entryName: entry.name,
    organiserOrg: entry.organiserOrg,
    custodianOrg: entry.custodian,
    provider: entry.provider,
    fromClassification: entry.classification,
    toClassification: cmd.toClassification,
    conclusion: cmd.conclusion,
    basis: cmd.basis,
    decidedBy: a.userId,
    decidedByName: a.name,
    decidedOrg: a.orgCode,
    decidedAt: at,
    state: cmd.conclusion,
  };
  await ports.reviews.record(
    review,
    withSupervision(
      {
        actor: a.userId,
        orgCode: entry.organiserOrg,
        action: 'supervision.confidentialityReview.record',
        target: `CONFREVIEW#${review.reviewId}`,
        outcome: 'success',
        requestId: cmd.requestId,
        detail: { resultNumber: entry.resultNumber, entryVersion: entry.version, from: entry.classification, to: cmd.toClassification, conclusion: cmd.conclusion, basis: cmd.basis, requirement: 'R20.1' },
      },
      { count: [{ org: entry.organiserOrg, metric: 'R20.1.confidentialityReviews' }, ...(cmd.conclusion === 'refused' ? [{ org: entry.organiserOrg, metric: 'R20.1.confidentialityRefused' }] : [])] },
      at,
    ),
  );
  return review;
}

/**
 * The catalogue edit's rule (R5.1, R20.1): lowering an entry's classification
 * (to 公开 or otherwise) names a confidentiality review that approved exactly
 * this change of this version and was not used yet. Returns the review to apply.
 */
export async function requireApprovedReview(
  reviews: Pick<ConfidentialityReviewStore, 'get'>,
  entry: Pick<ReviewedEntry, 'resultNumber' | 'version' | 'classification'>,
  to: Classification,
  reviewId: string | undefined,
): Promise<ConfidentialityReview> {
  if (!reviewId) {
    throw new ConflictError(
      'DECLASSIFICATION_NEEDS_APPROVAL',
      `降低密级（${classificationLabels[entry.classification]} → ${classificationLabels[to]}）或公开须先经保密审查：由组织单位审核人员记录审查结论（POST /supervision/confidentiality-reviews），修改时在 confidentialityReviewId 中填写同意的审查编号。`,
    );
  }
  const review = await reviews.get(reviewId);
  const mismatch = (why: string) =>
    new ConflictError('CONFIDENTIALITY_REVIEW_MISMATCH', `保密审查 ${reviewId} 不能用于本次修改：${why}`, [{ field: 'body.confidentialityReviewId', code: 'CONFIDENTIALITY_REVIEW_MISMATCH', message: why }]);
  if (!review || review.resultNumber !== entry.resultNumber) throw mismatch(`没有条目 ${entry.resultNumber} 的这项审查`);
  if (review.state === 'refused') throw mismatch('审查结论为不同意');
  if (review.state === 'applied') throw mismatch(`该审查已用于第 ${review.appliedVersion} 版的修改`);
  if (review.entryVersion !== entry.version) throw mismatch(`审查针对第 ${review.entryVersion} 版，条目现为第 ${entry.version} 版，请重新审查`);
  if (review.toClassification !== to) throw mismatch(`审查同意的密级为${classificationLabels[review.toClassification]}，不是${classificationLabels[to]}`);
  return review;
}

/** A review as a reader sees it: the entry's name only within the reader's clearance (the source classification). */
export function reviewView(r: ConfidentialityReview, reader: Pick<Principal, 'clearance'>) {
  const visible = visibleTo(reader, r.fromClassification);
  return {
    ...r,
    entryName: visible ? r.entryName : '（涉密，需相应密级查看）',
    hidden: !visible,
    conclusionLabel: reviewConclusionLabels[r.conclusion],
    fromLabel: classificationLabels[r.fromClassification],
    toLabel: classificationLabels[r.toClassification],
  };
}

/** GET /supervision/confidentiality-reviews?org=&resultNumber=: the organisation's and those below it, newest first (scope as incidents: another province 404). */
export async function listConfidentialityReviews(
  ports: { identity: Pick<IdentityRepository, 'getOrganisation' | 'listOrganisations'>; reviews: Pick<ConfidentialityReviewStore, 'listOf'> },
  cmd: { actor: Principal; org?: string; resultNumber?: string; conclusion?: ReviewConclusion },
): Promise<{ org: string; items: ConfidentialityReview[] }> {
  const org = cmd.org ?? cmd.actor.orgCode;
  await requireSupervisionScope(ports.identity, cmd.actor, org, 'query.org', true);
  const items: ConfidentialityReview[] = [];
  for (const o of await orgTree(ports.identity, org)) items.push(...(await ports.reviews.listOf(o)));
  return {
    org,
    items: items
      .filter((r) => (cmd.resultNumber ? r.resultNumber === cmd.resultNumber : true) && (cmd.conclusion ? r.conclusion === cmd.conclusion : true))
      .sort((a, b) => (a.decidedAt < b.decidedAt ? 1 : a.decidedAt > b.decidedAt ? -1 : 0)),
  };
}
