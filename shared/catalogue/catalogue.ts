import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import { classificationLabels, classifications, clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueFilter, CatalogueStore } from '#shared/ports/catalogue.ts';
import type { Page, SubmissionStore } from '#shared/ports/submission.ts';
import type { CatalogueEntry, Overlap, Period } from '#shared/schemas/catalogue.ts';
import type { CatalogueEdit, CatalogueSearchQuery } from '#shared/schemas/catalogue-input.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { Submission } from '#shared/schemas/submission.ts';
import type { ThemeId } from '#shared/reference/themes.ts';
import { AlreadyCataloguedError, SequenceMovedError } from './errors.ts';
import { formatResultNumber, maxSequence } from './numbers.ts';
import { ancestorCodes } from '#shared/reference/regions.ts';
import { noteListed, requireClearance, requireVisible, type ProtectedRecord } from '#shared/security/access.ts';
import { requireApprovedReview, type ConfidentialityReviewStore } from '#shared/supervision/confidentiality-reviews.ts';
import { submissionNotFound, submissionRecord } from '#shared/submission/access.ts';

/** The custody flow registers as the system; a person registers through POST /catalogue. */
export type CatalogueActor = Principal | { readonly system: string; readonly orgCode: string };

export interface CataloguePorts {
  readonly catalogue: CatalogueStore;
  readonly submissions: Pick<SubmissionStore, 'getSubmission'>;
  readonly now: () => Date;
}

const actorId = (a: CatalogueActor) => ('system' in a ? `system:${a.system}` : a.userId);

/** Registration years follow China time: a result registered at 2027-01-01 00:30 in Beijing is a 2027 number. */
export function chinaYear(now: Date): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** The classifications a clearance reads (R5.1 ordering). */
export function visibleClassifications(clearance: Classification): Classification[] {
  return classifications.filter((c) => clearanceAllows(clearance, c));
}

export function toPeriod(t: string | Period): Period {
  return typeof t === 'string' ? { from: t, to: t } : t;
}

/** Number races are retried: each round one registration wins the counter (and the audit head) and the others read again. */
export const registrationAttempts = 100;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function entryAudit(actor: CatalogueActor, action: string, resultNumber: string, requestId: string, detail: Record<string, unknown>): AuditEntry {
  return { actor: actorId(actor), orgCode: actor.orgCode, action, target: `CAT#${resultNumber}`, outcome: 'success', requestId, detail };
}

/**
 * The custodian registers a verified result in the catalogue: it gets its
 * unified number (R9.1) and a catalogue entry with the R9.2 fields.
 *
 * Primary course:
 *  1. the submission exists; a person must be a custodian of its custodian
 *     organisation (the custody flow registers as the system);
 *  2. a submission that already has an entry returns it (idempotent: the
 *     same entry and number however often called; its index is rewritten,
 *     which repairs an interrupted earlier call);
 *  3. the submission is verified — or held offline (R5.1: a classified result
 *     is verified and kept offline by the custodian, and catalogued so that
 *     others know it exists);
 *  4. number = counter + 1 for the custodian and year; the counter, the entry,
 *     its version 1 and the audit record are one transaction conditional on
 *     the counter (a race re-reads it; a failure uses no number);
 *  5. the search index items are written.
 */
export async function registerCatalogueEntry(
  ports: CataloguePorts,
  cmd: { submissionId: string; timePoint?: string | Period; actor: CatalogueActor; requestId: string },
): Promise<{ entry: CatalogueEntry; created: boolean }> {
  const submission = await ports.submissions.getSubmission(cmd.submissionId);
  if (!submission) throw new NotFoundError(`汇交 ${cmd.submissionId} 不存在`);
  const actor = cmd.actor;
  // The access rule first: a submission above a person's clearance is absent for them (R5.1).
  if (!('system' in actor)) requireClearance(actor, submissionRecord(submission), submissionNotFound(submission.submissionId));
  if (!('system' in actor)) {
    if (!actor.roles.includes('custodian')) throw new ForbiddenError('无权登记成果目录：需要“成果保管人”角色');
    if (actor.orgCode !== submission.custodianOrg) {
      throw new ForbiddenError(`无权登记成果目录：该成果的保管单位是 ${submission.custodianOrg}，您所在单位为 ${actor.orgCode}`);
    }
  }
  const existing = await ports.catalogue.getEntryForSubmission(submission.submissionId);
  if (existing) {
    await ports.catalogue.indexEntry(existing);
    return { entry: existing, created: false };
  }
  if (submission.status !== 'verified' && submission.status !== 'heldOffline') {
    throw new ConflictError('NOT_VERIFIED', `汇交 ${submission.submissionId} 尚未通过核验（当前状态：${submission.status}），不能登记成果目录`);
  }

  for (let attempt = 0; attempt < registrationAttempts; attempt += 1) {
    const now = ports.now();
    const year = chinaYear(now);
    const previous = await ports.catalogue.readSequence(submission.custodianOrg, year);
    if (previous >= maxSequence) throw new ConflictError('NUMBER_SPACE_EXHAUSTED', `保管单位 ${submission.custodianOrg} ${year} 年的统一编号已用完`);
    const entry = buildEntry(submission, previous + 1, year, cmd.timePoint, actorId(actor), now.toISOString());
    try {
      await ports.catalogue.createEntry(
        entry,
        previous,
        entryAudit(actor, 'catalogue.entry.register', entry.resultNumber, cmd.requestId, {
          submissionId: entry.submissionId,
          sequence: entry.sequence,
          classification: entry.classification,
        }),
      );
      await ports.catalogue.indexEntry(entry);
      return { entry, created: true };
    } catch (error) {
      if (error instanceof AlreadyCataloguedError) {
        const winner = await ports.catalogue.getEntryForSubmission(submission.submissionId);
        if (winner) return { entry: winner, created: false };
      }
      const retry = error instanceof SequenceMovedError || (error instanceof ConflictError && error.code === 'AUDIT_CHAIN_BUSY');
      if (!retry) throw error;
      await sleep(Math.random() * Math.min(50, 2 * (attempt + 1)));
    }
  }
  throw new ConflictError('NUMBER_BUSY', '系统繁忙：统一编号并发登记冲突过多，本次登记未执行，请稍后重试');
}

function buildEntry(s: Submission, sequence: number, year: number, timePoint: string | Period | undefined, by: string, at: string): CatalogueEntry {
  return {
    resultNumber: formatResultNumber(s.custodianOrg, year, s.theme, sequence),
    sequence,
    year,
    theme: s.theme,
    name: s.catalogue.name,
    content: s.catalogue.content,
    format: s.catalogue.format,
    spatialScope: { regionCode: s.catalogue.spatialScope.regionCode, ...(s.catalogue.spatialScope.bbox ? { bbox: s.catalogue.spatialScope.bbox } : {}) },
    timePoint: toPeriod(timePoint ?? s.catalogue.timePoint),
    classification: s.classification,
    sharingMode: s.catalogue.sharingMode,
    custodian: s.custodianOrg,
    provider: s.implementerOrg,
    submissionId: s.submissionId,
    taskId: s.taskId,
    organiserOrg: s.organiserOrg,
    status: 'active',
    version: 1,
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    updatedBy: by,
  };
}

const notFound = (n: string) => new NotFoundError(`成果目录条目 ${n} 不存在`);

/** A catalogue entry as the access rule sees it (shared/security/access.ts): scope `catalogue`, any organisation within clearance. */
export function entryRecord(e: Pick<CatalogueEntry, 'resultNumber' | 'classification' | 'organiserOrg' | 'provider' | 'custodian'>): ProtectedRecord {
  return { target: `CAT#${e.resultNumber}`, classification: e.classification, organiserOrg: e.organiserOrg, implementerOrg: e.provider, custodianOrg: e.custodian };
}

/** An entry above the reader's clearance is reported as absent: its existence is not disclosed. */
export async function visibleEntry(store: Pick<CatalogueStore, 'getEntry'>, actor: Principal, resultNumber: string, message = `成果目录条目 ${resultNumber} 不存在`): Promise<CatalogueEntry> {
  const entry = await store.getEntry(resultNumber);
  if (!entry) throw new NotFoundError(message);
  requireVisible(actor, entryRecord(entry), message);
  return entry;
}

export interface EntryView extends CatalogueEntry {
  /** The versions the reader's clearance allows (an earlier version may have been classified higher). */
  readonly versions: Array<{ version: number; updatedAt: string; updatedBy: string; classification: Classification }>;
}

export async function getCatalogueEntry(ports: Pick<CataloguePorts, 'catalogue'>, cmd: { actor: Principal; resultNumber: string }): Promise<EntryView> {
  const entry = await visibleEntry(ports.catalogue, cmd.actor, cmd.resultNumber);
  const versions = (await ports.catalogue.listVersions(entry.resultNumber))
    .filter((v) => clearanceAllows(cmd.actor.clearance, v.classification))
    .map((v) => ({ version: v.version, updatedAt: v.updatedAt, updatedBy: v.updatedBy, classification: v.classification }));
  return { ...entry, versions };
}

/**
 * The custodian edits an entry's R9.2 fields. Every edit is a new version
 * (snapshot V#n) with its audit record, conditional on the version read.
 * The number, theme, custodian and source never change.
 */
export async function editCatalogueEntry(
  ports: Pick<CataloguePorts, 'catalogue' | 'now'> & { reviews?: Pick<ConfidentialityReviewStore, 'get'> },
  cmd: { actor: Principal; resultNumber: string; edit: CatalogueEdit; requestId: string },
): Promise<{ entry: CatalogueEntry; changed: boolean }> {
  const { actor, edit } = cmd;
  const entry = await visibleEntry(ports.catalogue, actor, cmd.resultNumber);
  if (!actor.roles.includes('custodian') || actor.orgCode !== entry.custodian) {
    throw new ForbiddenError(`无权修改目录条目：只有保管单位（${entry.custodian}）的成果保管人可以修改`);
  }
  if (entry.status === 'destroyed') throw new ConflictError('ENTRY_DESTROYED', `目录条目 ${entry.resultNumber} 对应的成果已销毁，条目不可修改`);
  if (edit.expectedVersion !== undefined && edit.expectedVersion !== entry.version) {
    throw new ConflictError('ENTRY_CHANGED', `目录条目 ${entry.resultNumber} 当前为第 ${entry.version} 版，不是您修改的第 ${edit.expectedVersion} 版，请刷新后重试`);
  }
  if (edit.classification && !clearanceAllows(actor.clearance, edit.classification)) {
    throw new ForbiddenError('无权将条目密级调整为高于本人密级权限的级别');
  }
  // Lowering the classification is declassification (解密/降密) or, to 公开, making the entry public: it
  // needs the organiser's confidentiality review (保密审查, R20.1) recorded as its own decision, approving
  // exactly this change of this version; the edit applies it in its own transaction. Raising is always allowed.
  const lowering = edit.classification !== undefined && classifications.indexOf(edit.classification) < classifications.indexOf(entry.classification);
  const review = lowering
    ? await (ports.reviews
        ? requireApprovedReview(ports.reviews, entry, edit.classification!, edit.confidentialityReviewId)
        : Promise.reject(new ConflictError('DECLASSIFICATION_NEEDS_APPROVAL', `不能通过修改目录条目降低密级（${classificationLabels[entry.classification]} → ${classificationLabels[edit.classification!]}）：须先经保密审查（R20.1）。`)))
    : undefined;
  const fields = {
    ...(edit.name !== undefined ? { name: edit.name } : {}),
    ...(edit.content !== undefined ? { content: edit.content } : {}),
    ...(edit.format !== undefined ? { format: edit.format } : {}),
    ...(edit.spatialScope !== undefined ? { spatialScope: edit.spatialScope } : {}),
    ...(edit.timePoint !== undefined ? { timePoint: toPeriod(edit.timePoint) } : {}),
    ...(edit.classification !== undefined ? { classification: edit.classification } : {}),
    ...(edit.sharingMode !== undefined ? { sharingMode: edit.sharingMode } : {}),
  };
  const changes = Object.fromEntries(
    Object.entries(fields).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(entry[k as keyof CatalogueEntry])),
  );
  if (Object.keys(changes).length === 0) return { entry, changed: false };
  const at = ports.now().toISOString();
  const next: CatalogueEntry = { ...entry, ...changes, version: entry.version + 1, updatedAt: at, updatedBy: actor.userId };
  await ports.catalogue.updateEntry(
    next,
    entry,
    entryAudit(actor, 'catalogue.entry.update', entry.resultNumber, cmd.requestId, {
      version: next.version,
      reason: edit.reason,
      changed: Object.keys(changes),
      before: Object.fromEntries(Object.keys(changes).map((k) => [k, entry[k as keyof CatalogueEntry]])),
      ...(review ? { confidentialityReview: { reviewId: review.reviewId, decidedBy: review.decidedBy, decidedAt: review.decidedAt, conclusion: review.conclusion, basis: review.basis } } : {}),
    }),
    ...(review ? [{ reviewId: review.reviewId }] : []),
  );
  await ports.catalogue.indexEntry(next, entry);
  return { entry: next, changed: true };
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code: 'INVALID', message }]);
}

/** Search (R9.2, R5.1): whatever is asked, only entries the caller's clearance allows come back. */
export async function searchCatalogue(
  ports: Pick<CataloguePorts, 'catalogue'>,
  cmd: { actor: Principal; query: CatalogueSearchQuery },
): Promise<Page<CatalogueEntry>> {
  const q = cmd.query;
  if (q.from && q.to && q.from > q.to) throw invalid('query.from', '起始日期不能晚于结束日期');
  const keywords = q.q ? q.q.split(/\s+/).filter(Boolean) : undefined;
  if (keywords?.some((k) => k.length < 2)) throw invalid('query.q', '每个关键词至少 2 个字');
  const bbox = q.bbox as [number, number, number, number] | undefined;
  if (bbox && (bbox[0] >= bbox[2] || bbox[1] >= bbox[3])) throw invalid('query.bbox', '范围应为 西,南,东,北，且西小于东、南小于北');
  const allowed = visibleClassifications(cmd.actor.clearance);
  const filter: CatalogueFilter = {
    classifications: q.classification ? allowed.filter((c) => c === q.classification) : allowed,
    ...(q.region ? { regionCode: q.region } : {}),
    ...(q.theme ? { theme: q.theme } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.sharingMode ? { sharingMode: q.sharingMode } : {}),
    ...(q.custodian ? { custodian: q.custodian } : {}),
    ...(keywords ? { keywords } : {}),
    ...(bbox ? { bbox } : {}),
    ...(q.includeDestroyed === 'true' ? { includeDestroyed: true } : {}),
  };
  const page = await ports.catalogue.search(filter, { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
  for (const e of page.items) noteListed(entryRecord(e));
  return page;
}

export const overlapHint = '已有成果可共享，避免重复调查';
/** The overlap list is a warning, not a report: the first ones make the point. */
export const maxOverlaps = 20;

/**
 * R13.2: the catalogue entries that overlap a planned survey in region (the
 * same code, one inside it, or one containing it), time (the task's period
 * against the entry's time point; no period = any time) and theme — only
 * those the caller's clearance allows.
 */
export async function findOverlaps(
  store: CatalogueStore,
  input: { regionCode: string; theme: ThemeId; period?: Period; clearance: Classification },
): Promise<Overlap[]> {
  const base: CatalogueFilter = {
    theme: input.theme,
    classifications: visibleClassifications(input.clearance),
    ...(input.period ? { from: input.period.from, to: input.period.to } : {}),
  };
  const within = await store.search({ ...base, regionCode: input.regionCode }, { limit: maxOverlaps });
  const above = await Promise.all(
    ancestorCodes(input.regionCode).map((code) => store.search({ ...base, regionCode: code, exactRegion: code }, { limit: maxOverlaps })),
  );
  const seen = new Set<string>();
  const out: Overlap[] = [];
  for (const e of [...within.items, ...above.flatMap((p) => p.items)]) {
    if (seen.has(e.resultNumber) || out.length >= maxOverlaps) continue;
    seen.add(e.resultNumber);
    out.push({ resultNumber: e.resultNumber, name: e.name, regionCode: e.spatialScope.regionCode, timePoint: e.timePoint, custodian: e.custodian, theme: e.theme });
  }
  return out;
}
