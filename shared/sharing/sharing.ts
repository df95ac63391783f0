import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { addCalendarDays, chinaDate, chinaDateTime, isValidIsoDate, toEpochDay } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { custodyManifestKey, manifestsPrefix } from '#shared/custody/keys.ts';
import { collect } from '#shared/custody/hash.ts';
import { decodeManifest } from '#shared/custody/manifest.ts';
import { classificationLabels, classifications, clearanceAllows, isClassified, type Classification } from '#shared/reference/classifications.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { CustodyStore } from '#shared/ports/custody.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { noteTouched } from '#shared/security/context.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import { sharingReviewDue, useReportDue } from '#shared/supervision/clock-types.ts';
import type { ClockStore } from '#shared/ports/supervision.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import { noticeOf, noticeText, useReportClocks, useReportSlots } from './purpose.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { consoleUrl, named } from '#shared/tasks/mail.ts';
import {
  applicationStatusLabels,
  downloadUrlSeconds,
  grantStatusLabels,
  maxResultsPerApplication,
  maxSharingDays,
  reviewStatusLabels,
  sharingChannelLabels,
  type ApplicationItem,
  GrantExistsError,
  type DownloadLinks,
  type GrantFile,
  type Review,
  type SharingApplication,
  type SharingChannel,
  type SharingDecision,
  type SharingGrant,
  type SharingStore,
  type TimelineEvent,
  type OfflineRecord,
  idDocumentLabels,
  mediaTypeLabels,
  offlineDocumentLabels,
  type UseReportSlot,
  type ProcessingKind,
  type ProcessingRecord,
  processingKindLabels,
  processingStatusLabels,
} from './model.ts';

export * from './model.ts';

export const sharingDecisionSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  decision: z.enum(['approve', 'return']),
  reasons: z.string(),
  decidedBy: z.string().check(z.minLength(1)),
  decidedAt: z.string().check(z.minLength(1)),
  /** The organiser's conditions with an approval (R15.1): a shorter period, fewer files, a narrower scope. */
  conditions: z.optional(z.object({ to: z.optional(z.string()), files: z.optional(z.array(z.string())), scope: z.optional(z.string()), useReportDue: z.optional(z.string()), processing: z.optional(z.enum(['consent', 'refuse'])) })),
});

export const sharingReviewStateMachine = 'SharingReview';


const invalid = (field: string, code: string, message: string): ValidationError => new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code, message }]);

export const audit = (actor: string, orgCode: string, action: string, target: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target,
  outcome: 'success',
  requestId,
  detail,
});

export const event = (at: string, type: string, by: string, note: string): TimelineEvent => ({ at, type, by, note });

export const highest = (cs: readonly Classification[]): Classification => cs.reduce<Classification>((a, c) => (classifications.indexOf(c) > classifications.indexOf(a) ? c : a), 'public');

export const offlineForcedReason = '申请的成果中含秘密及以上成果，依规定离线提供，数据不进入云端（R5.1）';

export interface ApplicationInput {
  readonly results: ReadonlyArray<{ readonly resultNumber: string; readonly files?: readonly string[] | undefined }>;
  readonly purpose: string;
  readonly scope: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly contact: { readonly name: string; readonly phone: string; readonly email?: string | undefined };
  readonly channel?: SharingChannel | undefined;
  readonly offlineReason?: string | undefined;
  readonly users?: readonly string[] | undefined;
  /** R13.1: processing asked for (online only). */
  readonly processing?: { readonly kinds: readonly ProcessingKind[]; readonly spec: string } | undefined;
}

export interface ApplyPorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly identity: Pick<IdentityRepository, 'getUser'>;
  readonly sharing: Pick<SharingStore, 'createApplication'>;
  readonly workflow: Pick<Workflow, 'start'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
  /** R19.1: the applicant organisation's running use-report clocks (one key query), to show the overdue ones to the reviewer. */
  readonly clocks?: Pick<ClockStore, 'ownedBy'>;
  readonly now: () => Date;
  readonly newId: () => string;
}

/** R19.1: an organisation's use reports overdue today (its running R19.1 clocks due before today; a key query, no scan). */
export async function overdueUseReports(clocks: Pick<ClockStore, 'ownedBy'>, org: string, today: string): Promise<Array<{ grantId: string; due: string }>> {
  const running = await clocks.ownedBy(org, 'running');
  return running
    .filter((c) => c.type === useReportDue.id && c.due < today)
    .map((c) => ({ grantId: c.subject.slice(0, c.subject.lastIndexOf('#')), due: c.due }))
    .sort((a, b) => a.due.localeCompare(b.due) || a.grantId.localeCompare(b.grantId));
}

/** The R15.1 review clock of one organiser's part of an application. */
export const reviewClockSubject = (applicationId: string, organiserOrg: string) => `${applicationId}#${organiserOrg}`;

/**
 * POST /sharing/applications (R14.1, R15.1).
 *
 * Primary course:
 *  1. every result number is catalogued (else 400 naming body.results[i].resultNumber) and shared at all;
 *     a result above the applicant's clearance may be applied for (the organiser decides), its details are not shown;
 *  2. the period starts today or later and lasts at most the organiser's maximum; the contact is complete;
 *  3. online unless the applicant asks for offline with a reason — and offline when any result is 秘密 or higher (R5.1);
 *  4. the named users belong to the applicant's organisation;
 *  5. stored with its audit record (nothing half-way: every check comes first);
 *  6. one review per organiser starts (SharingReview, execution `<id>-<organiser>`), online and offline alike;
 *     an approved offline review issues the approval letter or task order (shared/sharing/offline.ts).
 */
export async function applyForSharing(ports: ApplyPorts, cmd: { actor: Principal; input: ApplicationInput; requestId: string; basedOn?: { applicationId: string; note: string } }): Promise<SharingApplication> {
  const { actor, input } = cmd;
  const today = chinaDate(ports.now());
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const items: ApplicationItem[] = [];
  const regionOf = new Map<string, string>();
  if (input.results.length === 0 || input.results.length > maxResultsPerApplication) {
    throw invalid('body.results', 'COUNT', `每份申请 1–${maxResultsPerApplication} 项成果`);
  }
  for (const [i, r] of input.results.entries()) {
    const field = `body.results[${i}].resultNumber`;
    if (seen.has(r.resultNumber)) {
      issues.push({ field, code: 'DUPLICATE', message: `成果 ${r.resultNumber} 重复` });
      continue;
    }
    seen.add(r.resultNumber);
    const entry = await ports.catalogue.getEntry(r.resultNumber);
    if (!entry || entry.status === 'destroyed') {
      issues.push({ field, code: 'UNKNOWN_RESULT', message: `成果目录中没有统一编号 ${r.resultNumber}` });
      continue;
    }
    // Within clearance the sharing mode is known; above it nothing is said (the organiser decides).
    if (clearanceAllows(actor.clearance, entry.classification) && entry.sharingMode === 'notShared') {
      issues.push({ field, code: 'NOT_SHARED', message: `成果 ${r.resultNumber} 的共享方式为不予共享` });
      continue;
    }
    if (r.files && r.files.length === 0) issues.push({ field: `body.results[${i}].files`, code: 'EMPTY', message: '部分文件申请至少列出 1 个文件；申请整个成果时不填' });
    if (!regionOf.has(entry.organiserOrg)) regionOf.set(entry.organiserOrg, entry.spatialScope.regionCode);
    items.push({
      resultNumber: entry.resultNumber,
      organiserOrg: entry.organiserOrg,
      custodianOrg: entry.custodian,
      classification: entry.classification,
      ...(r.files ? { files: [...new Set(r.files)] } : {}),
    });
  }
  const { from, to } = input.period;
  if (!isValidIsoDate(from)) issues.push({ field: 'body.period.from', code: 'INVALID_DATE', message: '起始日期应为 YYYY-MM-DD' });
  else if (from < today) issues.push({ field: 'body.period.from', code: 'IN_PAST', message: `起始日期不能早于今天（${today}）` });
  if (!isValidIsoDate(to)) issues.push({ field: 'body.period.to', code: 'INVALID_DATE', message: '截止日期应为 YYYY-MM-DD' });
  else if (isValidIsoDate(from)) {
    if (to < from) issues.push({ field: 'body.period.to', code: 'BEFORE_FROM', message: '截止日期不能早于起始日期' });
    else if (toEpochDay(to) - toEpochDay(from) + 1 > maxSharingDays) {
      issues.push({ field: 'body.period.to', code: 'BEYOND_MAXIMUM', message: `使用期限最长 ${maxSharingDays} 天（至 ${addCalendarDays(from, maxSharingDays - 1)}）` });
    }
  }
  if (!input.contact.name.trim()) issues.push({ field: 'body.contact.name', code: 'REQUIRED', message: '请填写联系人' });
  if (!input.contact.phone.trim()) issues.push({ field: 'body.contact.phone', code: 'REQUIRED', message: '请填写联系电话' });
  const classified = items.some((i) => isClassified(i.classification));
  const askedOffline = input.channel === 'offline';
  const reason = input.offlineReason?.trim() ?? '';
  if (askedOffline && !classified && reason.length < 5) issues.push({ field: 'body.offlineReason', code: 'REQUIRED', message: '离线共享须说明在线方式不能满足的原因（至少 5 个字）' });
  // R13.1: the processed product is delivered through the online grant; an offline application agrees its media at the hand-over.
  if (input.processing && (classified || askedOffline)) issues.push({ field: 'body.processing', code: 'OFFLINE', message: '按需加工只用于在线共享' });
  const processingSpec = input.processing?.spec.trim() ?? '';
  const users = [...new Set([actor.userId, ...(input.users ?? [])])];
  for (const [i, userId] of (input.users ?? []).entries()) {
    const u = await ports.identity.getUser(userId);
    if (!u || u.orgCode !== actor.orgCode || u.deactivatedAt) issues.push({ field: `body.users[${i}]`, code: 'UNKNOWN_USER', message: `${userId} 不是本单位的在用用户` });
  }
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);

  const channel: SharingChannel = classified || askedOffline ? 'offline' : 'online';
  const at = ports.now().toISOString();
  const organisers = [...new Set(items.map((i) => i.organiserOrg))];
  const reviews: Review[] = organisers.map((org) => ({
    organiserOrg: org,
    resultNumbers: items.filter((i) => i.organiserOrg === org).map((i) => i.resultNumber),
    status: 'pending',
  }));
  const applicationId = ports.newId();
  const timeline: TimelineEvent[] = [event(at, 'submitted', actor.userId, `提交共享申请（${sharingChannelLabels[channel]}，${items.length} 项成果）`)];
  if (cmd.basedOn) timeline.push(event(at, 'reapplied', actor.userId, cmd.basedOn.note));
  if (input.processing) timeline.push(event(at, 'processingRequested', actor.userId, `申请加工（R13.1）：${[...new Set(input.processing.kinds)].map((k) => processingKindLabels[k]).join('、')}；${processingSpec}`));
  const overdue = ports.clocks ? await overdueUseReports(ports.clocks, actor.orgCode, today) : [];
  if (overdue.length > 0) {
    timeline.push(event(at, 'overdueUseReports', 'system', `申请单位有 ${overdue.length} 份利用情况报告逾期未交（R19.1）：${overdue.map((o) => `授权 ${o.grantId} 应于 ${o.due} 提交`).join('；')}`));
  }
  if (channel === 'offline') {
    timeline.push(event(at, 'offlineRecorded', 'system', `离线共享：${classified ? offlineForcedReason : reason}。同意后出具审批函（或任务单），由保管单位登记交接。`));
  }
  for (const r of reviews) timeline.push(event(at, 'reviewOpened', 'system', `已送组织单位 ${r.organiserOrg} 审核（${r.resultNumbers.join('、')}）`));
  const app: SharingApplication = {
    applicationId,
    requesterOrg: actor.orgCode,
    requestedBy: actor.userId,
    requestedAt: at,
    items,
    purpose: input.purpose.trim(),
    scope: input.scope.trim(),
    period: { from, to },
    contact: { name: input.contact.name.trim(), phone: input.contact.phone.trim(), ...(input.contact.email ? { email: input.contact.email } : {}) },
    channel,
    ...(channel === 'offline' ? { offlineReason: classified ? offlineForcedReason : reason } : {}),
    users,
    ...(cmd.basedOn ? { basedOn: cmd.basedOn.applicationId } : {}),
    ...(input.processing ? { processing: { kinds: [...new Set(input.processing.kinds)], spec: processingSpec } } : {}),
    reviews,
    ...(overdue.length > 0 ? { overdueUseReports: overdue } : {}),
    status: 'reviewing',
    timeline,
    version: 1,
  };
  // R15.1: each organiser's review runs on a clock (online and offline).
  const due = (await ports.calendar()).deadline(today, sharingReviewDue.days);
  await ports.sharing.createApplication(
    app,
    withSupervision(
      audit(actor.userId, actor.orgCode, 'sharing.application.submit', `SHAREAPP#${applicationId}`, cmd.requestId, { channel, resultNumbers: items.map((i) => i.resultNumber), purpose: app.purpose, ...(cmd.basedOn ? { basedOn: cmd.basedOn.applicationId } : {}) }),
      {
        count: [...organisers.map((org) => ({ org, metric: 'R15.applications' })), ...evaluationCounts(items, 'R15.applications')],
        start: organisers.map((org) => ({
          type: sharingReviewDue.id,
          subject: reviewClockSubject(applicationId, org),
          ownerOrg: org,
          regionCode: regionOf.get(org) ?? org.slice(0, 6),
          title: `${actor.orgCode} 的共享申请（${reviews.find((r) => r.organiserOrg === org)!.resultNumbers.join('、')}）`,
          start: today,
          due: due.due,
          provisional: due.provisional,
          basis: due.basis,
        })),
      },
      at,
    ),
  );
  for (const org of organisers) await ports.workflow.start(sharingReviewStateMachine, reviewExecutionName(applicationId, org), { applicationId, organiserOrg: org });
  return app;
}

export const reviewExecutionName = (applicationId: string, organiserOrg: string) => `${applicationId}-${organiserOrg}`;
export const grantIdOf = (applicationId: string, organiserOrg: string) => `${applicationId}-${organiserOrg}`;

/** Who may read an application: its organisation, and the organisers and custodians of its results. Others: 404 (not disclosed). */
export function mayReadApplication(actor: Principal, app: SharingApplication): boolean {
  return actor.orgCode === app.requesterOrg || app.items.some((i) => i.organiserOrg === actor.orgCode || i.custodianOrg === actor.orgCode);
}

export async function readableApplication(sharing: Pick<SharingStore, 'getApplication'>, actor: Principal, applicationId: string): Promise<SharingApplication> {
  const app = await sharing.getApplication(applicationId);
  if (!app || !mayReadApplication(actor, app)) throw new NotFoundError(`共享申请 ${applicationId} 不存在`);
  return app;
}

/** The application as a reader sees it: a result above the reader's clearance by number only (R5.1). */
export async function applicationView(ports: { catalogue: Pick<CatalogueStore, 'getEntry'> }, actor: Principal, app: SharingApplication) {
  const items = [];
  for (const i of app.items) {
    if (!clearanceAllows(actor.clearance, i.classification)) {
      items.push({ resultNumber: i.resultNumber, hidden: true, content: '（超出本人密级权限，详情不显示）' });
      continue;
    }
    const entry = await ports.catalogue.getEntry(i.resultNumber);
    noteTouched({ target: `CAT#${i.resultNumber}`, classification: i.classification, orgs: [i.organiserOrg, i.custodianOrg], access: 'read' });
    items.push({
      resultNumber: i.resultNumber,
      hidden: false,
      name: entry?.name ?? i.resultNumber,
      classification: i.classification,
      classificationLabel: classificationLabels[i.classification],
      organiserOrg: i.organiserOrg,
      custodianOrg: i.custodianOrg,
      content: i.files ? `部分文件：${i.files.join('、')}` : '整个成果',
      ...(i.files ? { files: [...i.files] } : {}),
    });
  }
  return {
    applicationId: app.applicationId,
    requesterOrg: app.requesterOrg,
    requestedBy: app.requestedBy,
    requestedAt: app.requestedAt,
    items,
    purpose: app.purpose,
    scope: app.scope,
    period: app.period,
    contact: app.contact,
    channel: app.channel,
    channelLabel: sharingChannelLabels[app.channel],
    ...(app.offlineReason ? { offlineReason: app.offlineReason } : {}),
    users: [...app.users],
    ...(app.basedOn ? { basedOn: app.basedOn } : {}),
    ...(app.overdueUseReports?.length ? { overdueUseReports: app.overdueUseReports.map((o) => ({ ...o })) } : {}),
    ...(app.processing ? { processing: { kinds: [...app.processing.kinds], kindLabels: app.processing.kinds.map((k) => processingKindLabels[k]).join('、'), spec: app.processing.spec } } : {}),
    status: app.status,
    statusLabel: applicationStatusLabels[app.status],
    reviews: app.reviews.map((r) => ({
      organiserOrg: r.organiserOrg,
      resultNumbers: [...r.resultNumbers],
      status: r.status,
      statusLabel: reviewStatusLabels[r.status],
      ...(r.decision ? { decision: { decision: r.decision.decision, reasons: r.decision.reasons, decidedBy: r.decision.decidedBy, decidedAt: r.decision.decidedAt } } : {}),
      ...(r.grantId ? { grantId: r.grantId } : {}),
      ...(r.offline && clearanceAllows(actor.clearance, r.offline.classification) ? { offline: offlineView(app.applicationId, r.offline) } : {}),
    })),
    timeline: app.timeline.map((e) => ({ ...e, atLabel: chinaDateTime(e.at) })),
  };
}
export type ApplicationView = Awaited<ReturnType<typeof applicationView>>;

/** An approved offline review as its readers see it: the documents (with their route), the agreement's scan, the hand-overs. */
function offlineView(applicationId: string, o: OfflineRecord) {
  return {
    classification: o.classification,
    classificationLabel: classificationLabels[o.classification],
    from: o.from,
    to: o.to,
    fileCount: o.files.length,
    files: o.files.map((f) => ({ resultNumber: f.resultNumber, path: f.path, sha256: f.sha256, size: f.size })),
    documents: o.documents.map((d) => ({
      docId: d.docId,
      kind: d.kind,
      kindLabel: offlineDocumentLabels[d.kind],
      number: d.number,
      sha256: d.sha256,
      size: d.size,
      issuedAt: d.issuedAt,
      addressedTo: d.addressedTo,
      copiedTo: [...d.copiedTo],
      href: `/sharing/applications/${applicationId}/documents/${d.docId}`,
    })),
    confidentialityRequired: o.confidentialityRequired,
    ...(o.scan ? { scan: { sha256: o.scan.sha256, size: o.scan.size, contentType: o.scan.contentType, requestedBy: o.scan.requestedBy, requestedAt: o.scan.requestedAt, verified: o.scan.verifiedAt !== undefined, ...(o.scan.verifiedAt ? { verifiedAt: o.scan.verifiedAt } : {}) } } : {}),
    handovers: o.handovers.map((h) => ({
      custodianOrg: h.custodianOrg,
      recordedBy: h.recordedBy,
      recordedAt: h.recordedAt,
      date: h.date,
      collector: { ...h.collector, idTypeLabel: idDocumentLabels[h.collector.idType] },
      media: { ...h.media, typeLabel: mediaTypeLabels[h.media.type] },
      files: h.files.map((f) => ({ ...f })),
    })),
  };
}

export async function getApplication(ports: { sharing: Pick<SharingStore, 'getApplication'>; catalogue: Pick<CatalogueStore, 'getEntry'> }, cmd: { actor: Principal; applicationId: string }): Promise<ApplicationView> {
  return applicationView(ports, cmd.actor, await readableApplication(ports.sharing, cmd.actor, cmd.applicationId));
}

/** GET /sharing/applications: my organisation's applications, or (`addressed`) those whose results my organisation organises. */
export async function listApplications(
  ports: { sharing: Pick<SharingStore, 'listApplications'>; catalogue: Pick<CatalogueStore, 'getEntry'> },
  cmd: { actor: Principal; side: 'mine' | 'addressed'; limit: number },
): Promise<ApplicationView[]> {
  const apps = await ports.sharing.listApplications(cmd.side === 'mine' ? 'by' : 'to', cmd.actor.orgCode, cmd.limit);
  const out: ApplicationView[] = [];
  for (const a of apps) out.push(await applicationView(ports, cmd.actor, a));
  return out;
}

// ---------------------------------------------------------------- review outcome

export interface ReviewPorts {
  readonly sharing: SharingStore;
  /** R18.1: the grant's 用途声明 is written once to the documents bucket before the grant is recorded. */
  readonly documents: Pick<DocumentStore, 'putText'>;
  readonly custody: Pick<CustodyStore, 'list' | 'read'>;
  readonly identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  /** The site (APP_BASE_URL): the emails link the console's pages (consoleUrl), never an API route. */
  readonly appBaseUrl: string;
}

/** The custody manifest of a result's latest version (manifests/<number>/v<n>.json). */
export async function latestCustodyFiles(custody: Pick<CustodyStore, 'list' | 'read'>, resultNumber: string): Promise<{ n: number; files: GrantFile[] } | undefined> {
  let cursor: string | undefined;
  let n = 0;
  do {
    const page = await custody.list(`${manifestsPrefix}${resultNumber}/`, cursor);
    for (const key of page.keys) {
      const m = /\/v(\d+)\.json$/.exec(key);
      if (m) n = Math.max(n, Number(m[1]));
    }
    cursor = page.cursor;
  } while (cursor);
  if (n === 0) return undefined;
  const manifest = decodeManifest(await collect(custody.read(custodyManifestKey(resultNumber, n))));
  return { n, files: manifest.files.map((f) => ({ resultNumber, n, path: f.path, key: f.key, size: f.size, sha256: f.sha256 })) };
}

export function reviewOf(app: SharingApplication, organiserOrg: string): Review {
  const r = app.reviews.find((x) => x.organiserOrg === organiserOrg);
  if (!r) throw new NotFoundError(`共享申请 ${app.applicationId} 没有组织单位 ${organiserOrg} 的审核`);
  return r;
}

/**
 * The application's status from its reviews: 审核中 while any is pending; then, offline, 待离线交接 until every
 * approved review's custodians have recorded their hand-over (已离线交接); otherwise 已审核.
 */
export function statusOf(app: Pick<SharingApplication, 'channel' | 'items'>, reviews: readonly Review[]): SharingApplication['status'] {
  if (reviews.some((r) => r.status === 'pending')) return 'reviewing';
  const approved = reviews.filter((r) => r.status === 'approved');
  if (app.channel !== 'offline' || approved.length === 0) return 'decided';
  const handedOver = approved.every((r) => custodiansOf(app, r).every((c) => r.offline?.handovers.some((h) => h.custodianOrg === c)));
  return handedOver ? 'handedOver' : 'awaitingHandover';
}

/** The custodians of one review's results. */
export function custodiansOf(app: Pick<SharingApplication, 'items'>, review: Pick<Review, 'resultNumbers'>): string[] {
  return [...new Set(app.items.filter((i) => review.resultNumbers.includes(i.resultNumber)).map((i) => i.custodianOrg))];
}

export function withReview(app: SharingApplication, review: Review, events: readonly TimelineEvent[]): SharingApplication {
  const reviews = app.reviews.map((r) => (r.organiserOrg === review.organiserOrg ? review : r));
  return { ...app, reviews, status: statusOf(app, reviews), timeline: [...app.timeline, ...events], version: app.version + 1 };
}

export async function mailTo(identity: Pick<IdentityRepository, 'getUser'>, userId: string): Promise<string[]> {
  const u = await identity.getUser(userId);
  return u ? [u.email] : [];
}

/**
 * Grant Access (the approved branch of SharingReview): the review is recorded
 * approved and the grant created — bound to the requester organisation and
 * its named users, the approved files (the custody copy of each result's
 * latest version, or the files asked for) and the period — in ONE conditional
 * transaction; a second attempt (a retry, a concurrent approval) finds the
 * grant and changes nothing. The requester is emailed to sign the agreement.
 */
export async function grantAccess(ports: ReviewPorts, cmd: { applicationId: string; organiserOrg: string; approval: SharingDecision; requestId: string }): Promise<SharingGrant> {
  const grantId = grantIdOf(cmd.applicationId, cmd.organiserOrg);
  const existing = await ports.sharing.getGrant(grantId);
  if (existing) return existing;
  const app = await ports.sharing.getApplication(cmd.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  const review = reviewOf(app, cmd.organiserOrg);
  if (cmd.approval.decision !== 'approve') throw new ForbiddenError('未经组织单位同意，不提供任何成果（R15.1）');
  if (app.channel === 'offline') throw new ConflictError('OFFLINE_CHANNEL', `共享申请 ${app.applicationId} 为离线共享：出具审批函或任务单，不建立在线授权`);
  if (review.status !== 'pending') throw new ConflictError('REVIEW_CLOSED', `共享申请 ${cmd.applicationId} 的审核已${reviewStatusLabels[review.status]}`);
  const items = app.items.filter((i) => review.resultNumbers.includes(i.resultNumber));
  const conditions = cmd.approval.conditions;
  const files: GrantFile[] = [];
  for (const item of items) {
    const held = await latestCustodyFiles(ports.custody, item.resultNumber);
    if (!held) continue;
    files.push(...held.files.filter((f) => (!item.files || item.files.includes(f.path)) && (!conditions?.files || conditions.files.includes(f.path))));
  }
  // The organiser's conditions narrow the application, never widen it (checked at the decision, applied here).
  const until = conditions?.to && conditions.to >= app.period.from && conditions.to < app.period.to ? conditions.to : app.period.to;
  const at = ports.now().toISOString();
  const today = chinaDate(ports.now());
  // R19.1: the use reports due (end of the period, or the organiser's date; yearly for a long grant).
  const organiserDue = conditions?.useReportDue && isValidIsoDate(conditions.useReportDue) && conditions.useReportDue >= today ? conditions.useReportDue : undefined;
  const useReports = useReportSlots(app.period.from, until, organiserDue);
  // R13.1: processing asked for is on the grant only with the organiser's explicit consent (refused: the plain data).
  const processing: ProcessingRecord | undefined =
    app.processing && conditions?.processing === 'consent' ? { ...app.processing, status: 'consented', consent: { by: cmd.approval.decidedBy, at } } : undefined;
  const base: SharingGrant = {
    grantId,
    applicationId: app.applicationId,
    requesterOrg: app.requesterOrg,
    users: app.users,
    organiserOrg: cmd.organiserOrg,
    custodianOrgs: [...new Set(items.map((i) => i.custodianOrg))],
    resultNumbers: items.map((i) => i.resultNumber),
    classification: highest(items.map((i) => i.classification)),
    files,
    from: app.period.from,
    to: until,
    purpose: app.purpose,
    scope: conditions?.scope ?? app.scope,
    status: 'awaitingSignature',
    createdAt: at,
    approval: cmd.approval,
    useReports,
    ...(processing ? { processing } : {}),
    version: 1,
  };
  // R18.1: the notice goes with every download; written once (the same bytes on a retry) before the grant names it.
  const requester = await ports.identity.getOrganisation(app.requesterOrg);
  const text = noticeText(base, named(requester?.name, app.requesterOrg));
  const notice = noticeOf(grantId, text);
  await ports.documents.putText(notice.key, text, 'text/plain; charset=utf-8');
  const grant: SharingGrant = { ...base, notice };
  const next = withReview(app, { ...review, status: 'approved', decision: cmd.approval, grantId }, [
    event(at, 'approved', cmd.approval.decidedBy, `组织单位 ${cmd.organiserOrg} 同意共享（${review.resultNumbers.join('、')}）${cmd.approval.reasons ? `：${cmd.approval.reasons}` : ''}${conditions ? `；附加条件：${[conditions.to ? `期限至 ${conditions.to}` : '', conditions.files ? `仅 ${conditions.files.length} 个文件` : '', conditions.scope ? `使用范围限于 ${conditions.scope}` : ''].filter(Boolean).join('，')}` : ''}`),
    event(at, 'grantCreated', 'system', `共享授权 ${grantId}：${files.length} 个文件，${grant.from} 至 ${grant.to}；签署使用协议后方可下载`),
    ...(app.processing
      ? [processing
          ? event(at, 'processingConsented', cmd.approval.decidedBy, `组织单位同意按需加工（R13.1）：${processing.kinds.map((k) => processingKindLabels[k]).join('、')}；由保管单位提出加工方案（内容、承担者、交付日期），申请单位确认`)
          : event(at, 'processingRefused', cmd.approval.decidedBy, '组织单位不同意按需加工（R13.1）：只提供原始数据')]
      : []),
  ]);
  try {
    await ports.sharing.createGrant(
      grant,
      next,
      app.version,
      withSupervision(
        audit('system:GrantSharingAccess', cmd.organiserOrg, 'sharing.review.approve', `SHAREAPP#${app.applicationId}`, cmd.requestId, { grantId, approval: cmd.approval, files: files.length, from: grant.from, to: grant.to }),
        {
          // R19.1: the use reports due under the grant, counted for the organiser when the grant is made (R21.1 use section).
          count: [
            { org: cmd.organiserOrg, metric: 'R15.approved' },
            { org: cmd.organiserOrg, metric: 'R19.1.due', by: useReports.length },
            // R19.2: the per-custodian dimension of the same counters (the custodian's quarterly evaluation).
            ...evaluationCounts(grant.custodianOrgs.map((c) => ({ custodianOrg: c, organiserOrg: cmd.organiserOrg })), 'R15.approved'),
            ...evaluationCounts(grant.custodianOrgs.map((c) => ({ custodianOrg: c, organiserOrg: cmd.organiserOrg })), 'R19.1.due', useReports.length),
          ],
          meet: [{ type: sharingReviewDue.id, subject: reviewClockSubject(app.applicationId, cmd.organiserOrg) }],
          start: useReportClocks(grant, useReports, today, organiserDue !== undefined),
        },
        at,
      ),
    );
  } catch (error) {
    if (error instanceof GrantExistsError) return (await ports.sharing.getGrant(grantId))!;
    throw error;
  }
  const to = await mailTo(ports.identity, app.requestedBy);
  if (to.length > 0) {
    const organiser = await ports.identity.getOrganisation(cmd.organiserOrg);
    await ports.mailer.send({
      to,
      subject: `【共享申请已同意】请签署共享使用协议（${app.applicationId}）`,
      text: [
        `您单位的共享申请 ${app.applicationId} 中，组织单位${named(organiser?.name, cmd.organiserOrg)}已同意共享：${review.resultNumbers.join('、')}。`,
        `使用期限：${grant.from} 至 ${grant.to}。`,
        ...(app.processing ? [processing ? '组织单位同意了您申请的按需加工（R13.1）：保管单位将在系统中提出加工方案（内容、承担者、交付日期），请确认后等待交付。' : '组织单位不同意按需加工（R13.1），只提供原始数据。'] : []),
        `请登录工作台，在共享授权页面阅读并签署共享使用协议，签署后在同一页面下载成果：${consoleUrl(ports.appBaseUrl, 'sharing', 'grants', grantId)}`,
        `签署前不提供任何文件；签署后也可用命令行下载：chengguo download ${grantId} --out ./received`,
        '政府部门间共享不收取费用（R13.1）。',
      ].join('\n'),
    });
  }
  return grant;
}

/** Reject (R16.2): the review closes as 不予共享 with the reasons; the requester is emailed the outcome and reasons. */
export async function rejectSharing(
  ports: Omit<ReviewPorts, 'custody' | 'documents'>,
  cmd: { applicationId: string; organiserOrg: string; approval?: SharingDecision; timedOut?: boolean; requestId: string },
): Promise<SharingApplication> {
  const app = await ports.sharing.getApplication(cmd.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  const review = reviewOf(app, cmd.organiserOrg);
  if (review.status !== 'pending') return app;
  const at = ports.now().toISOString();
  const reasons = cmd.approval?.reasons.trim() || (cmd.timedOut ? '审核未能在期限内完成，申请按不予共享处理，可重新申请' : '未说明');
  const decision: SharingDecision = cmd.approval ?? { taskId: 'none', decision: 'return', reasons, decidedBy: 'system', decidedAt: at };
  const next = withReview(app, { ...review, status: 'rejected', decision: { ...decision, reasons } }, [
    event(at, 'rejected', decision.decidedBy, `组织单位 ${cmd.organiserOrg} 不予共享（${review.resultNumbers.join('、')}）：${reasons}`),
    event(at, 'rejectionEmailed', 'system', '已将审核结果和理由邮件告知申请人（R16.2）'),
  ]);
  await ports.sharing.updateApplication(
    next,
    app.version,
    withSupervision(audit('system:RejectSharing', cmd.organiserOrg, 'sharing.review.reject', `SHAREAPP#${app.applicationId}`, cmd.requestId, { reasons, decision }), { meet: [{ type: sharingReviewDue.id, subject: reviewClockSubject(app.applicationId, cmd.organiserOrg) }] }, at),
  );
  const org = await ports.identity.getOrganisation(cmd.organiserOrg);
  const to = await mailTo(ports.identity, app.requestedBy);
  if (to.length > 0) {
    await ports.mailer.send({
      to,
      subject: `【共享申请未获同意】${app.applicationId}`,
      text: [
        `您单位的共享申请 ${app.applicationId} 中，${named(org?.name, cmd.organiserOrg)} 决定不予共享：${review.resultNumbers.join('、')}。`,
        `理由：${reasons}`,
        `审核记录保存在申请的办理记录中，登录工作台查看：${consoleUrl(ports.appBaseUrl, 'sharing', 'applications', app.applicationId)}`,
      ].join('\n'),
    });
  }
  return next;
}

// ---------------------------------------------------------------- agreement, grant, downloads

/** Who may read a grant: its requester organisation, its organiser and custodians. Others: 404. */
function mayReadGrant(actor: Principal, g: SharingGrant): boolean {
  return actor.orgCode === g.requesterOrg || actor.orgCode === g.organiserOrg || g.custodianOrgs.includes(actor.orgCode);
}

export async function readableGrant(sharing: Pick<SharingStore, 'getGrant'>, actor: Principal, grantId: string): Promise<SharingGrant> {
  const g = await sharing.getGrant(grantId);
  if (!g || !mayReadGrant(actor, g) || !clearanceAllows(actor.clearance, g.classification)) throw new NotFoundError(`共享授权 ${grantId} 不存在`);
  noteTouched({ target: `SHAREGRANT#${grantId}`, classification: g.classification, orgs: [g.requesterOrg, g.organiserOrg], access: 'read' });
  return g;
}

/** R18.1 obligations, as the agreement states them. */
export const useObligations = [
  '仅在申请所述用途和使用范围内使用，不得超范围使用，不得向第三方提供或转让；',
  '使用成果形成的新成果、公开发表的，应注明成果来源（保管单位与统一编号）；',
  '按保密与安全规定保管数据，发生泄露、丢失时立即报告保管单位和组织单位；',
  '使用期限届满或授权被撤销后，停止使用并删除本地副本；',
  '按要求向组织单位报送成果使用情况（应用反馈）。',
];

/** The agreement text, generated from the grant and its application: the same bytes every time (its SHA-256 is what is signed). */
export async function agreementText(identity: Pick<IdentityRepository, 'getOrganisation'>, g: SharingGrant): Promise<string> {
  const name = async (code: string) => named((await identity.getOrganisation(code))?.name, code);
  const custodians = (await Promise.all(g.custodianOrgs.map(name))).join('、');
  return [
    '自然资源调查监测成果共享使用协议',
    '',
    `协议编号：${g.grantId}`,
    `申请编号：${g.applicationId}`,
    `甲方（提供方）：组织单位 ${await name(g.organiserOrg)}；保管单位 ${custodians}`,
    `乙方（使用方）：${await name(g.requesterOrg)}`,
    `共享成果：${g.resultNumbers.join('、')}（${g.files.length} 个文件）`,
    `密级：${classificationLabels[g.classification]}`,
    `用途：${g.purpose}`,
    `使用范围：${g.scope}`,
    `使用期限：${g.from} 至 ${g.to}（期满自动终止）`,
    `授权使用人：${g.users.join('、')}`,
    '',
    '乙方承诺：',
    ...useObligations.map((o, i) => `${i + 1}. ${o}`),
    '',
    '本次共享为政府部门间共享，不收取任何费用（R13.1）。',
    '乙方签署本协议即表示已阅读并同意以上全部条款；签署记录（签署人、时间、协议文本 SHA-256）存档备查。',
  ].join('\n');
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export async function getAgreement(ports: { sharing: Pick<SharingStore, 'getGrant'>; identity: Pick<IdentityRepository, 'getOrganisation'> }, cmd: { actor: Principal; grantId: string }) {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  const text = await agreementText(ports.identity, g);
  return { grantId: g.grantId, text, sha256: sha256Hex(text), ...(g.signature ? { signature: g.signature } : {}) };
}

/**
 * POST /sharing/grants/{grantId}/agreement/signature (R16.1): a named user of
 * the grant signs the text shown — the SHA-256 they send must be that of the
 * agreement as generated now (409 AGREEMENT_CHANGED otherwise); who, when and
 * the hash are recorded, and the grant becomes active. Signing twice: 409.
 */
export async function signAgreement(
  ports: { sharing: SharingStore; identity: Pick<IdentityRepository, 'getOrganisation'>; now: () => Date },
  cmd: { actor: Principal; grantId: string; sha256: string; requestId: string },
): Promise<SharingGrant> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (cmd.actor.orgCode !== g.requesterOrg || !g.users.includes(cmd.actor.userId)) throw new ForbiddenError('只有授权使用人可以签署共享使用协议');
  if (g.status !== 'awaitingSignature') throw new ConflictError('AGREEMENT_SIGNED', `共享授权 ${g.grantId} ${grantStatusLabels[g.status]}，不能再签署`);
  const text = await agreementText(ports.identity, g);
  const sha256 = sha256Hex(text);
  if (cmd.sha256 !== sha256) throw new ConflictError('AGREEMENT_CHANGED', '签署的协议文本与当前协议不一致，请重新阅读协议后签署');
  const at = ports.now().toISOString();
  const app = await ports.sharing.getApplication(g.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${g.applicationId} 不存在`);
  const signed: SharingGrant = { ...g, status: 'active', signature: { by: cmd.actor.userId, name: cmd.actor.name, at, sha256 }, version: g.version + 1 };
  const nextApp: SharingApplication = { ...app, timeline: [...app.timeline, event(at, 'agreementSigned', cmd.actor.userId, `${cmd.actor.name} 签署共享使用协议（${g.grantId}，SHA-256 ${sha256.slice(0, 16)}…）`)], version: app.version + 1 };
  await ports.sharing.updateGrant(signed, g.version, nextApp, app.version, audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.agreement.sign', `SHAREGRANT#${g.grantId}`, cmd.requestId, { sha256 }));
  return signed;
}

/** POST /sharing/grants/{grantId}/revocation: the organiser's reviewer ends a grant early, with reasons. */
export async function revokeGrant(
  ports: { sharing: SharingStore; mailer: Mailer; identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation'>; now: () => Date },
  cmd: { actor: Principal; grantId: string; reasons: string; requestId: string },
): Promise<SharingGrant> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (cmd.actor.orgCode !== g.organiserOrg || !cmd.actor.roles.includes('reviewer')) throw new ForbiddenError('只有组织单位的审核人员可以撤销共享授权');
  if (g.status === 'revoked') throw new ConflictError('GRANT_REVOKED', `共享授权 ${g.grantId} 已撤销`);
  const reasons = cmd.reasons.trim();
  if (reasons.length < 5) throw invalid('body.reasons', 'TOO_SHORT', '撤销理由至少 5 个字');
  const app = await ports.sharing.getApplication(g.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${g.applicationId} 不存在`);
  const at = ports.now().toISOString();
  const revoked: SharingGrant = { ...g, status: 'revoked', revocation: { by: cmd.actor.userId, at, reasons }, version: g.version + 1 };
  const nextApp: SharingApplication = { ...app, timeline: [...app.timeline, event(at, 'grantRevoked', cmd.actor.userId, `组织单位撤销共享授权 ${g.grantId}：${reasons}`)], version: app.version + 1 };
  await ports.sharing.updateGrant(revoked, g.version, nextApp, app.version, audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.grant.revoke', `SHAREGRANT#${g.grantId}`, cmd.requestId, { reasons }));
  const to = await mailTo(ports.identity, app.requestedBy);
  if (to.length > 0) await ports.mailer.send({ to, subject: `【共享授权已撤销】${g.grantId}`, text: `组织单位${named((await ports.identity.getOrganisation(g.organiserOrg))?.name, g.organiserOrg)}撤销了共享授权 ${g.grantId}。\n理由：${reasons}\n请停止使用并删除本地副本。` });
  return revoked;
}

/** A due use report as a reader sees it today (overdue judged now, never stored). */
export function useReportSlotView(s: UseReportSlot, today: string) {
  const status = s.report ? 'in' : today > s.due ? 'overdue' : 'due';
  return {
    due: s.due,
    kind: s.kind,
    status,
    statusLabel: { in: s.report?.late ? '已提交（逾期）' : '已提交', overdue: '逾期未交', due: '待提交' }[status],
    ...(s.report ? { report: { ...s.report, projects: [...s.report.projects] } } : {}),
  };
}

export function grantView(g: SharingGrant, today: string) {
  return {
    grantId: g.grantId,
    applicationId: g.applicationId,
    requesterOrg: g.requesterOrg,
    users: [...g.users],
    organiserOrg: g.organiserOrg,
    custodianOrgs: [...g.custodianOrgs],
    resultNumbers: [...g.resultNumbers],
    classification: g.classification,
    classificationLabel: classificationLabels[g.classification],
    from: g.from,
    to: g.to,
    expired: today > g.to,
    purpose: g.purpose,
    scope: g.scope,
    status: g.status,
    statusLabel: grantStatusLabels[g.status],
    files: g.files.map((f, i) => ({ fileNo: i + 1, resultNumber: f.resultNumber, path: f.path, size: f.size, sha256: f.sha256, ...(f.bucket === 'documents' ? { processed: true as const } : {}) })),
    ...(g.notice ? { notice: { fileNo: g.files.length + 1, path: g.notice.path, size: g.notice.size, sha256: g.notice.sha256 } } : {}),
    ...(g.signature ? { signature: g.signature } : {}),
    ...(g.revocation ? { revocation: g.revocation } : {}),
    ...(g.subscription ? { subscription: g.subscription } : {}),
    ...(g.useReports ? { useReports: g.useReports.map((s) => useReportSlotView(s, today)) } : {}),
    ...(g.userChanges?.length ? { userChanges: g.userChanges.map((c) => ({ ...c, added: [...c.added], removed: [...c.removed] })) } : {}),
    ...(g.processing ? { processing: processingView(g.processing) } : {}),
  };
}

/** R13.1: a grant's processing as its readers see it (the product's key stays inside). */
export function processingView(p: ProcessingRecord) {
  return {
    kinds: [...p.kinds],
    kindLabels: p.kinds.map((k) => processingKindLabels[k]).join('、'),
    spec: p.spec,
    status: p.status,
    statusLabel: processingStatusLabels[p.status],
    consent: { ...p.consent },
    ...(p.proposal ? { proposal: { ...p.proposal } } : {}),
    ...(p.acceptance ? { acceptance: { ...p.acceptance } } : {}),
    ...(p.upload ? { upload: { name: p.upload.name, sha256: p.upload.sha256, size: p.upload.size, contentType: p.upload.contentType, by: p.upload.by, at: p.upload.at } } : {}),
    ...(p.delivery ? { delivery: { ...p.delivery } } : {}),
    free: true as const,
  };
}

export async function getGrant(ports: { sharing: Pick<SharingStore, 'getGrant'>; now: () => Date }, cmd: { actor: Principal; grantId: string }) {
  return grantView(await readableGrant(ports.sharing, cmd.actor, cmd.grantId), chinaDate(ports.now()));
}

/** The BagIt manifest (manifest-sha256.txt): `<sha256>  data/<number>/<path>`, one line per file of the grant. */
export async function grantManifest(ports: { sharing: Pick<SharingStore, 'getGrant'> }, cmd: { actor: Principal; grantId: string }): Promise<string> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  // R18.1: the 用途声明 is part of the package (data/用途声明.txt), checked like every file.
  return [...g.files.map((f) => `${f.sha256}  data/${f.resultNumber}/${f.path}\n`), ...(g.notice ? [`${g.notice.sha256}  data/${g.notice.path}\n`] : [])].join('');
}

/**
 * GET /sharing/grants/{grantId}/files/{fileNo} (R16.1): a named user of an
 * active grant, inside its period, gets a presigned GET of minutes on the
 * custody copy (302); the URL issued is logged (who, file, when, from where,
 * the application as purpose reference) and counted per result × requester
 * organisation × month in the same transaction. Expired: 403 naming the end date.
 */
/**
 * R19.2: the custodian a downloaded file counts for in the custodian's quarterly evaluation. A grant names its
 * custodians but not which result each holds; with one custodian (the usual grant) it is that one, otherwise the
 * download is counted for the organiser only (known limit, docs/compliance.md R19.2).
 */
function custodiansOfFile(g: Pick<SharingGrant, 'custodianOrgs' | 'organiserOrg'>, _resultNumber: string): Array<{ custodianOrg: string; organiserOrg: string }> {
  return g.custodianOrgs.length === 1 ? [{ custodianOrg: g.custodianOrgs[0]!, organiserOrg: g.organiserOrg }] : [];
}

export async function issueDownload(
  ports: { sharing: SharingStore; links: DownloadLinks; now: () => Date },
  cmd: { actor: Principal; grantId: string; fileNo: number; sourceIp: string; requestId: string },
): Promise<{ url: string; expiresInSeconds: number }> {
  const g = await readableGrant(ports.sharing, cmd.actor, cmd.grantId);
  if (cmd.actor.orgCode !== g.requesterOrg || !g.users.includes(cmd.actor.userId)) throw new ForbiddenError('只有共享授权的授权使用人可以下载');
  if (g.status === 'revoked') throw new ForbiddenError(`共享授权已于 ${chinaDateTime(g.revocation!.at)} 被组织单位撤销：${g.revocation!.reasons}`);
  if (g.status === 'awaitingSignature') throw new ForbiddenError('请先签署共享使用协议；签署前不提供任何文件（R16.1）');
  const today = chinaDate(ports.now());
  if (today > g.to) throw new ForbiddenError(`共享授权已于 ${g.to} 到期，不能再下载`);
  if (today < g.from) throw new ForbiddenError(`共享授权自 ${g.from} 起生效`);
  // The files, then (R18.1) the grant's 用途声明 as the last number, served the same way from the documents bucket.
  const isNotice = g.notice !== undefined && cmd.fileNo === g.files.length + 1;
  const file: { resultNumber: string; path: string; key: string; size: number; bucket?: 'documents' } | undefined = isNotice ? { resultNumber: g.resultNumbers[0]!, path: g.notice!.path, key: g.notice!.key, size: g.notice!.size, bucket: 'documents' } : g.files[cmd.fileNo - 1];
  if (!file) throw new NotFoundError(`共享授权 ${g.grantId} 没有第 ${cmd.fileNo} 个文件`);
  const at = ports.now().toISOString();
  const url = await ports.links.presignGet(file.key, { expiresInSeconds: downloadUrlSeconds, fileName: file.path.split('/').pop() ?? file.path, ...(file.bucket ? { bucket: file.bucket } : {}) });
  await ports.sharing.recordDownload(
    {
      grantId: g.grantId,
      at,
      userId: cmd.actor.userId,
      orgCode: cmd.actor.orgCode,
      resultNumber: file.resultNumber,
      path: file.path,
      size: file.size,
      sourceIp: cmd.sourceIp,
      applicationId: g.applicationId,
      // R18.1: every download names the purpose and scope it is bound to.
      purpose: g.purpose,
      scope: g.scope,
      ...(g.notice ? { noticeSha256: g.notice.sha256 } : {}),
      requestId: cmd.requestId,
    },
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.download.issue', `SHAREGRANT#${g.grantId}`, cmd.requestId, { resultNumber: file.resultNumber, path: file.path, size: file.size, sourceIp: cmd.sourceIp, expiresInSeconds: downloadUrlSeconds, applicationId: g.applicationId, ...(isNotice ? { notice: true } : {}) }),
      // The notice is not a result download (R16.downloads counts the results' files).
      isNotice ? {} : { count: [{ org: g.organiserOrg, metric: 'R16.downloads' }, ...evaluationCounts(custodiansOfFile(g, file.resultNumber), 'R16.downloads')] },
      at,
    ),
  );
  return { url, expiresInSeconds: downloadUrlSeconds };
}

/** GET /sharing/usage/{resultNumber}: the result's custodian and organiser read its usage counters. */
export async function resultUsage(ports: { sharing: Pick<SharingStore, 'usage'>; catalogue: Pick<CatalogueStore, 'getEntry'> }, cmd: { actor: Principal; resultNumber: string }) {
  const entry = await ports.catalogue.getEntry(cmd.resultNumber);
  if (!entry || !clearanceAllows(cmd.actor.clearance, entry.classification)) throw new NotFoundError(`成果目录条目 ${cmd.resultNumber} 不存在`);
  if (cmd.actor.orgCode !== entry.custodian && cmd.actor.orgCode !== entry.organiserOrg) throw new ForbiddenError('只有保管单位和组织单位可以查看成果的共享使用统计');
  return { resultNumber: entry.resultNumber, rows: await ports.sharing.usage(entry.resultNumber) };
}
