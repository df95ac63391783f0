import { createHash } from 'node:crypto';
import { chinaDate, isValidIsoDate } from '#shared/calendar/dates.ts';
import type { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import { classificationLabels, classifications, clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { noteTouched } from '#shared/security/context.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import { sharingHandoverDue, sharingReviewDue } from '#shared/supervision/clock-types.ts';
import { consoleUrl, named, userLabel } from '#shared/tasks/mail.ts';
import { documentNumber, offlineDocumentHtml, type DocumentInput } from './documents.ts';
import {
  idDocumentLabels,
  maxScanBytes,
  mediaTypeLabels,
  offlineDocumentLabels,
  type scanContentTypes,
  offlineDocumentSlugs,
  type GrantFile,
  type Handover,
  type IdDocumentType,
  type MediaType,
  type OfflineDocument,
  type OfflineDocumentKind,
  type OfflineRecord,
  type Review,
  type SharingApplication,
  type SharingDecision,
  type SharingDocuments,
} from './model.ts';
import { audit, custodiansOf, event, grantAccess, highest, latestCustodyFiles, mailTo, readableApplication, reviewClockSubject, reviewOf, withReview, type ReviewPorts } from './sharing.ts';

/**
 * The offline chain (离线共享, R16.2, R17.1). An offline application goes to
 * the same SharingReview as an online one; on 同意共享 the system issues, per
 * organiser, an approval letter (审批函, to the requester, copied to the
 * custodian) — or, when the organiser keeps the results itself, a task order
 * (任务单) to its custody office — and, for results of 内部 and above, a
 * confidentiality agreement (保密协议). Each is printable A4 HTML, stored
 * write-once in the documents bucket, listed on the application. The custodian
 * then records the hand-over: the collector (ID number masked), the media, and
 * every file's SHA-256 as written to the media, checked against the approved
 * custody files; a classified hand-over needs the signed agreement's scan,
 * whose bytes are hashed against the SHA-256 declared at upload.
 */

/** Results of 内部 and above need the confidentiality agreement before the hand-over (issue 16: "for classified results"). */
export const needsConfidentialityAgreement = (c: Classification) => classifications.indexOf(c) >= classifications.indexOf('internal');

export const scanUrlSeconds = 900;

const sha256Of = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const documentKey = (applicationId: string, docId: string) => `sharing/${applicationId}/${docId}.html`;
const scanKey = (applicationId: string, organiserOrg: string, sha256: string, contentType: string) =>
  `sharing/${applicationId}/confidentiality-agreement-${organiserOrg}-signed-${sha256.slice(0, 16)}.${contentType === 'application/pdf' ? 'pdf' : contentType === 'image/png' ? 'png' : 'jpg'}`;
export const handoverClockSubject = (applicationId: string, organiserOrg: string, custodianOrg: string) => `${applicationId}#${organiserOrg}#${custodianOrg}`;

export interface OfflinePorts extends Omit<ReviewPorts, 'identity'> {
  readonly identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation' | 'listUsers'>;
  readonly documents: SharingDocuments;
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly calendar: () => Promise<WorkingDayCalendar>;
}

/**
 * SharingReview › Grant Access: 同意共享. Online → the grant (grantAccess); offline → the documents (approveOffline).
 * What the state machine keeps: the grant id (null offline), the file count and the documents issued.
 */
export async function approveReview(ports: OfflinePorts, cmd: { applicationId: string; organiserOrg: string; approval: SharingDecision; requestId: string }): Promise<{ grantId: string | null; files: number; documents: string[] }> {
  const app = await ports.sharing.getApplication(cmd.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  if (app.channel === 'online') {
    const grant = await grantAccess(ports, cmd);
    return { grantId: grant.grantId, files: grant.files.length, documents: [] };
  }
  const offline = await approveOffline(ports, cmd);
  return { grantId: null, files: offline.files.length, documents: offline.documents.map((d) => d.docId) };
}

const conditionNotes = (c: SharingDecision['conditions']) =>
  c ? [c.to ? `使用期限缩短至 ${c.to}` : '', c.files ? `仅提供 ${c.files.length} 个文件` : '', c.scope ? `使用范围限于 ${c.scope}` : ''].filter(Boolean) : [];

/**
 * The approved branch for an offline application: the approved files (the custody manifest of each result's
 * latest version, narrowed by the application and the organiser's conditions), the letter or task order and,
 * for 内部 and above, the confidentiality agreement — each stored write-once (a retry finds the same bytes) —
 * then the review recorded approved with its documents, the R15.1 clock met and an R17.1 hand-over clock started
 * per custodian, in one conditional audited transaction; the requester and the custodian are emailed.
 * A second attempt (a retry, a concurrent approval) finds the review approved and changes nothing.
 */
export async function approveOffline(ports: OfflinePorts, cmd: { applicationId: string; organiserOrg: string; approval: SharingDecision; requestId: string }): Promise<OfflineRecord> {
  const app = await ports.sharing.getApplication(cmd.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  const review = reviewOf(app, cmd.organiserOrg);
  if (review.status === 'approved' && review.offline) return review.offline;
  if (cmd.approval.decision !== 'approve') throw new ForbiddenError('未经组织单位同意，不提供任何成果（R15.1）');
  if (review.status !== 'pending') throw new ConflictError('REVIEW_CLOSED', `共享申请 ${cmd.applicationId} 的审核已结束`);
  const items = app.items.filter((i) => review.resultNumbers.includes(i.resultNumber));
  const conditions = cmd.approval.conditions;
  const files: GrantFile[] = [];
  for (const item of items) {
    const held = await latestCustodyFiles(ports.custody, item.resultNumber);
    if (!held) continue;
    files.push(...held.files.filter((f) => (!item.files || item.files.includes(f.path)) && (!conditions?.files || conditions.files.includes(f.path))));
  }
  const to = conditions?.to && conditions.to >= app.period.from && conditions.to < app.period.to ? conditions.to : app.period.to;
  const scope = conditions?.scope ?? app.scope;
  const classification = highest(items.map((i) => i.classification));
  const confidential = needsConfidentialityAgreement(classification);
  const custodians = custodiansOf(app, review);
  const orgName = async (code: string) => named((await ports.identity.getOrganisation(code))?.name, code);
  const results = [];
  for (const i of items) {
    const entry = await ports.catalogue.getEntry(i.resultNumber);
    results.push({ resultNumber: i.resultNumber, name: entry?.name ?? i.resultNumber, classification: i.classification, content: i.files ? `部分文件：${i.files.join('、')}` : '整个成果' });
  }
  // The organiser keeps the results itself: an internal task order to its custody office; otherwise a letter copied to the custodian.
  const letterKind: OfflineDocumentKind = custodians.every((c) => c === cmd.organiserOrg) ? 'taskOrder' : 'approvalLetter';
  const base: Omit<DocumentInput, 'kind' | 'number'> = {
    applicationId: app.applicationId,
    requestedAt: app.requestedAt,
    requester: await orgName(app.requesterOrg),
    organiser: await orgName(cmd.organiserOrg),
    custodians: await Promise.all(custodians.map(orgName)),
    decidedBy: await userLabel(ports.identity, cmd.approval.decidedBy),
    decidedAt: cmd.approval.decidedAt,
    reasons: cmd.approval.reasons.trim(),
    results,
    files,
    classification,
    purpose: app.purpose,
    scope,
    from: app.period.from,
    to,
    users: app.users,
    contact: app.contact,
    conditions: conditionNotes(conditions),
  };
  const at = ports.now().toISOString();
  const issue = async (kind: OfflineDocumentKind, extra: Partial<DocumentInput> = {}): Promise<OfflineDocument> => {
    const number = documentNumber(kind, cmd.organiserOrg, app.applicationId, cmd.approval.decidedAt);
    const docId = `${offlineDocumentSlugs[kind]}-${cmd.organiserOrg}`;
    const key = documentKey(app.applicationId, docId);
    const html = offlineDocumentHtml({ ...base, ...extra, kind, number }, confidential);
    // Write-once: a retry whose first attempt stored the document keeps the stored bytes (never rewritten).
    const stored = (await ports.documents.putOnce(key, html, 'text/html; charset=utf-8')) ? Buffer.from(html, 'utf8') : ((await ports.documents.get(key)) ?? Buffer.from(html, 'utf8'));
    const addressedTo = kind === 'taskOrder' ? custodians[0]! : app.requesterOrg;
    return { docId, kind, number, key, sha256: sha256Of(stored), size: stored.byteLength, issuedAt: at, addressedTo, copiedTo: kind === 'approvalLetter' ? custodians : kind === 'confidentialityAgreement' ? [app.requesterOrg, ...custodians] : [] };
  };
  const letter = await issue(letterKind);
  const documents = [letter];
  if (confidential) documents.push(await issue('confidentialityAgreement', { letter: { kind: letter.kind, number: letter.number } }));
  const offline: OfflineRecord = { documents, files, confidentialityRequired: confidential, handovers: [], classification, from: app.period.from, to, scope };
  const next = withReview(app, { ...review, status: 'approved', decision: cmd.approval, offline }, [
    event(at, 'approved', cmd.approval.decidedBy, `组织单位 ${cmd.organiserOrg} 同意离线共享（${review.resultNumbers.join('、')}）${cmd.approval.reasons ? `：${cmd.approval.reasons}` : ''}${conditions ? `；附加条件：${conditionNotes(conditions).join('，')}` : ''}`),
    ...documents.map((d) => event(at, 'documentIssued', 'system', `出具${offlineDocumentLabels[d.kind]} ${d.number}（SHA-256 ${d.sha256.slice(0, 16)}…）${d.copiedTo.length > 0 ? `，抄送 ${d.copiedTo.join('、')}` : ''}`)),
    event(at, 'handoverOpened', 'system', `待保管单位 ${custodians.join('、')} 离线交接 ${files.length} 个文件${confidential ? '；须先签署保密协议并上传扫描件' : ''}`),
  ]);
  const calendar = await ports.calendar();
  const today = chinaDate(ports.now());
  const due = calendar.deadline(today, sharingHandoverDue.days);
  try {
    await ports.sharing.updateApplication(
      next,
      app.version,
      withSupervision(
        audit('system:GrantSharingAccess', cmd.organiserOrg, 'sharing.review.approveOffline', `SHAREAPP#${app.applicationId}`, cmd.requestId, {
          approval: cmd.approval,
          documents: documents.map((d) => ({ docId: d.docId, number: d.number, sha256: d.sha256 })),
          files: files.length,
          classification,
        }),
        {
          count: [{ org: cmd.organiserOrg, metric: 'R15.approved' }, ...evaluationCounts(items.map((i) => ({ custodianOrg: i.custodianOrg, organiserOrg: cmd.organiserOrg })), 'R15.approved')],
          meet: [{ type: sharingReviewDue.id, subject: reviewClockSubject(app.applicationId, cmd.organiserOrg) }],
          start: custodians.map((c) => ({
            type: sharingHandoverDue.id,
            subject: handoverClockSubject(app.applicationId, cmd.organiserOrg, c),
            ownerOrg: c,
            regionCode: c.slice(0, 6),
            title: `${app.requesterOrg} 的离线共享交接（${review.resultNumbers.join('、')}）`,
            start: today,
            due: due.due,
            provisional: due.provisional,
            basis: due.basis,
          })),
        },
        at,
      ),
    );
  } catch (error) {
    // A concurrent attempt recorded the approval first: the same documents (write-once), nothing more to do.
    const now = await ports.sharing.getApplication(cmd.applicationId);
    const done = now && reviewOf(now, cmd.organiserOrg);
    if (done?.status === 'approved' && done.offline) return done.offline;
    throw error;
  }
  const requester = await mailTo(ports.identity, app.requestedBy);
  // The console's application page shows the offline chain (OfflineChain.vue): the documents to open and print
  // (their SHA-256 checked in the browser), the signed agreement's scan upload and the custodian's handover form.
  const page = consoleUrl(ports.appBaseUrl, 'sharing', 'applications', app.applicationId);
  const links = [`出具的文书：${documents.map((d) => `${offlineDocumentLabels[d.kind]} ${d.number}`).join('；')}`, `登录工作台，在共享申请页面打开和打印上述文书：${page}`];
  if (requester.length > 0) {
    await ports.mailer.send({
      to: requester,
      subject: `【共享申请已同意】离线共享，请到保管单位办理交接（${app.applicationId}）`,
      text: [
        `您单位的共享申请 ${app.applicationId} 中，${base.organiser} 同意离线共享：${review.resultNumbers.join('、')}（${files.length} 个文件，${app.period.from} 至 ${to}）。`,
        ...links,
        confidential ? `成果密级为${classificationLabels[classification]}：请打印《保密协议》，双方签字盖章后在同一页面上传签署扫描件，上传后方可交接。` : '',
        `请持${offlineDocumentLabels[letter.kind]}到保管单位 ${base.custodians.join('、')} 办理交接；领取人须携带身份证件。`,
        '政府部门间共享不收取费用（R13.1）。',
      ].filter(Boolean).join('\n'),
    });
  }
  const custodianMail = [];
  for (const c of custodians) for (const u of await ports.identity.listUsers(c)) if (u.roles.includes('custodian') && !u.deactivatedAt) custodianMail.push(u.email);
  if (custodianMail.length > 0) {
    await ports.mailer.send({
      to: [...new Set(custodianMail)],
      subject: `【离线共享交接】${offlineDocumentLabels[letter.kind]} ${letter.number}`,
      text: [
        `${base.organiser} 同意向 ${base.requester} 离线共享 ${review.resultNumbers.join('、')}，${offlineDocumentLabels[letter.kind]}${letter.kind === 'approvalLetter' ? '抄送' : '下达'}贵单位。`,
        ...links,
        `请在 ${due.due} 前完成交接：核验领取人身份（只登记脱敏证件号码），在同一页面登记存储介质和写入介质的每个文件的 SHA-256。`,
        confidential ? '该成果须先签署保密协议并上传签署扫描件，未上传的系统拒绝登记交接。' : '',
      ].filter(Boolean).join('\n'),
    });
  }
  return offline;
}

/** The review of the application that `organiserOrg` names, or the only approved offline one the predicate admits. */
function offlineReview(app: SharingApplication, organiserOrg: string | undefined, admits: (r: Review) => boolean, field: string): Review & { offline: OfflineRecord } {
  const candidates = app.reviews.filter((r) => r.status === 'approved' && r.offline && (organiserOrg === undefined || r.organiserOrg === organiserOrg) && admits(r));
  if (candidates.length === 0) {
    if (app.channel !== 'offline') throw new ConflictError('NOT_OFFLINE', `共享申请 ${app.applicationId} 为在线共享，没有离线交接`);
    throw new ConflictError('NOT_APPROVED', `共享申请 ${app.applicationId}${organiserOrg ? ` 中组织单位 ${organiserOrg} 的部分` : ''}尚未同意离线共享，或不由本单位交接`);
  }
  if (candidates.length > 1) throw new ValidationError(`请求参数有误：${field} 申请涉及多个组织单位，请指明`, [{ field, code: 'REQUIRED', message: '申请涉及多个组织单位，请指明组织单位代码' }]);
  return candidates[0] as Review & { offline: OfflineRecord };
}

/**
 * GET /sharing/applications/{applicationId}/documents/{docId}: the stored document, as stored (its SHA-256 is
 * on the application). Readers of the application within the documents' classification; others 404.
 */
export async function getOfflineDocument(
  ports: { sharing: Pick<ReviewPorts['sharing'], 'getApplication'>; documents: Pick<SharingDocuments, 'get'> },
  cmd: { actor: Principal; applicationId: string; docId: string },
): Promise<{ html: string; document: OfflineDocument }> {
  const app = await readableApplication(ports.sharing, cmd.actor, cmd.applicationId);
  const review = app.reviews.find((r) => r.offline?.documents.some((d) => d.docId === cmd.docId));
  const doc = review?.offline?.documents.find((d) => d.docId === cmd.docId);
  if (!review?.offline || !doc || !clearanceAllows(cmd.actor.clearance, review.offline.classification)) throw new NotFoundError(`共享申请 ${cmd.applicationId} 没有文书 ${cmd.docId}`);
  const bytes = await ports.documents.get(doc.key);
  if (!bytes) throw new NotFoundError(`文书 ${doc.number} 的存档文件不存在`);
  noteTouched({ target: `SHAREDOC#${app.applicationId}/${doc.docId}`, classification: review.offline.classification, orgs: [app.requesterOrg, review.organiserOrg], access: 'read' });
  return { html: Buffer.from(bytes).toString('utf8'), document: doc };
}

/**
 * POST /sharing/applications/{applicationId}/confidentiality-scan: the signed agreement's scan is declared
 * (SHA-256, size, type) and a presigned PUT of minutes issued on the documents bucket — the SHA-256, size and
 * If-None-Match are signed headers, so the URL takes those bytes only, once. The declaration is recorded
 * (audited, on the timeline); the hand-over hashes the stored bytes against it.
 * Who: the requester's named users, or the custodian's custodians.
 */
export async function requestConfidentialityScan(
  ports: { sharing: ReviewPorts['sharing']; documents: Pick<SharingDocuments, 'presignPut'>; now: () => Date },
  cmd: { actor: Principal; applicationId: string; organiserOrg?: string | undefined; sha256: string; size: number; contentType: (typeof scanContentTypes)[number]; requestId: string },
): Promise<{ upload: { url: string; headers: Record<string, string>; expiresAt: string }; key: string; organiserOrg: string }> {
  const app = await readableApplication(ports.sharing, cmd.actor, cmd.applicationId);
  const mayUpload = (r: Review) =>
    (cmd.actor.orgCode === app.requesterOrg && app.users.includes(cmd.actor.userId)) || (cmd.actor.roles.includes('custodian') && custodiansOf(app, r).includes(cmd.actor.orgCode));
  const approved = app.reviews.filter((r) => r.status === 'approved' && r.offline);
  if (approved.length > 0 && !approved.some(mayUpload)) throw new ForbiddenError('只有申请单位的授权使用人或成果保管单位可以上传保密协议签署扫描件');
  const review = offlineReview(app, cmd.organiserOrg, mayUpload, 'body.organiserOrg');
  if (!clearanceAllows(cmd.actor.clearance, review.offline.classification)) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  if (!review.offline.confidentialityRequired) throw new ConflictError('NO_AGREEMENT_NEEDED', `该部分成果为${classificationLabels[review.offline.classification]}，无需保密协议`);
  if (review.offline.handovers.length > 0) throw new ConflictError('HANDOVER_RECORDED', '已办理交接，保密协议扫描件不能再更换');
  if (cmd.size > maxScanBytes) throw new ValidationError(`请求参数有误：body.size 扫描件不超过 ${maxScanBytes / 1024 / 1024} MB`, [{ field: 'body.size', code: 'TOO_LARGE', message: `扫描件不超过 ${maxScanBytes / 1024 / 1024} MB` }]);
  const key = scanKey(app.applicationId, review.organiserOrg, cmd.sha256, cmd.contentType);
  const upload = await ports.documents.presignPut(key, { sha256: cmd.sha256, size: cmd.size, contentType: cmd.contentType, expiresInSeconds: scanUrlSeconds });
  const at = ports.now().toISOString();
  const offline: OfflineRecord = { ...review.offline, scan: { key, sha256: cmd.sha256, size: cmd.size, contentType: cmd.contentType, requestedBy: cmd.actor.userId, requestedAt: at } };
  const { offline: _old, ...rest } = review;
  const next = withReview(app, { ...rest, offline }, [
    event(at, 'confidentialityScanDeclared', cmd.actor.userId, `上传保密协议签署扫描件（${cmd.contentType}，${cmd.size} 字节，SHA-256 ${cmd.sha256.slice(0, 16)}…）；交接时核对`),
  ]);
  await ports.sharing.updateApplication(
    next,
    app.version,
    audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.confidentiality.scan', `SHAREAPP#${app.applicationId}`, cmd.requestId, { organiserOrg: review.organiserOrg, key, sha256: cmd.sha256, size: cmd.size, contentType: cmd.contentType }),
  );
  return { upload, key, organiserOrg: review.organiserOrg };
}

export interface HandoverInput {
  readonly organiserOrg?: string | undefined;
  readonly collector: { readonly name: string; readonly organisation: string; readonly idType: IdDocumentType; readonly idNumberMasked: string };
  readonly date: string;
  readonly media: { readonly type: MediaType; readonly serial: string };
  readonly files: ReadonlyArray<{ readonly resultNumber: string; readonly path: string; readonly sha256: string }>;
}

/**
 * A masked ID number (never the full one): letters, digits and `*`, at least 4 masked characters, at most 8
 * shown, and at least as many masked as shown beyond 4 (4401**********1234, E1****678).
 */
export function isMaskedIdNumber(value: string): boolean {
  if (!/^[0-9A-Za-z*]{6,40}$/.test(value)) return false;
  const masked = [...value].filter((c) => c === '*').length;
  const shown = value.length - masked;
  return masked >= 4 && shown <= 8 && masked >= shown - 4;
}

/**
 * POST /sharing/applications/{applicationId}/handover (R17.1): the custodian records the hand-over of an
 * approved offline review — the collector (name, organisation, ID type, MASKED number), the date, the media,
 * and every approved file with its SHA-256 as written to the media.
 *
 *  1. the caller is a custodian of the review's results, within its classification (else 403 / 404);
 *  2. bad input → 400 naming the field (an unmasked ID number is refused, never stored or echoed);
 *  3. a classified review needs the agreement's scan: declared and its stored bytes' SHA-256 the declared one (409);
 *  4. the files are exactly the approved files this custodian holds: a SHA-256 that differs, a file not approved,
 *     an approved file missing → 409 naming the file;
 *  5. recorded once per custodian (409 HANDOVER_RECORDED), with the R17.1 clock met, audited, on the timeline.
 */
export async function recordHandover(
  ports: { sharing: ReviewPorts['sharing']; documents: Pick<SharingDocuments, 'get'>; now: () => Date },
  cmd: { actor: Principal; applicationId: string; input: HandoverInput; requestId: string },
): Promise<SharingApplication> {
  const { actor, input } = cmd;
  const app = await readableApplication(ports.sharing, actor, cmd.applicationId);
  const holds = (r: Review) => custodiansOf(app, r).includes(actor.orgCode);
  if (!app.reviews.some(holds)) throw new ForbiddenError('只有成果的保管单位可以登记离线交接');
  const review = offlineReview(app, input.organiserOrg, holds, 'body.organiserOrg');
  const o = review.offline;
  if (!clearanceAllows(actor.clearance, o.classification)) throw new NotFoundError(`共享申请 ${cmd.applicationId} 不存在`);
  if (o.handovers.some((h) => h.custodianOrg === actor.orgCode)) throw new ConflictError('HANDOVER_RECORDED', `保管单位 ${actor.orgCode} 已登记本申请的交接`);

  const issues: FieldIssue[] = [];
  const today = chinaDate(ports.now());
  const approvedOn = review.decision ? chinaDate(new Date(review.decision.decidedAt)) : today;
  if (!isValidIsoDate(input.date)) issues.push({ field: 'body.date', code: 'INVALID_DATE', message: '交接日期应为 YYYY-MM-DD' });
  else if (input.date > today) issues.push({ field: 'body.date', code: 'IN_FUTURE', message: `交接日期不能晚于今天（${today}）` });
  else if (input.date < approvedOn) issues.push({ field: 'body.date', code: 'BEFORE_APPROVAL', message: `交接日期不能早于同意共享的日期（${approvedOn}）` });
  if (!isMaskedIdNumber(input.collector.idNumberMasked)) {
    issues.push({ field: 'body.collector.idNumberMasked', code: 'NOT_MASKED', message: '证件号码须脱敏后登记（至少 4 位以 * 代替、最多显示 8 位，如 4401**********1234），系统不保存完整号码' });
  }
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);

  if (o.confidentialityRequired) {
    if (!o.scan) throw new ConflictError('CONFIDENTIALITY_SCAN_MISSING', `成果密级为${classificationLabels[o.classification]}：须先签署保密协议并上传签署扫描件，方可交接`);
    const bytes = await ports.documents.get(o.scan.key);
    if (!bytes) throw new ConflictError('CONFIDENTIALITY_SCAN_MISSING', '保密协议签署扫描件已申报但尚未上传完成，方可交接');
    if (sha256Of(bytes) !== o.scan.sha256) throw new ConflictError('CONFIDENTIALITY_SCAN_MISMATCH', '保密协议签署扫描件的内容与申报的 SHA-256 不一致，请重新上传');
  }

  const expected = o.files.filter((f) => app.items.some((i) => i.resultNumber === f.resultNumber && i.custodianOrg === actor.orgCode));
  const label = (f: { resultNumber: string; path: string }) => `${f.resultNumber}/${f.path}`;
  const seen = new Set<string>();
  const handed: Array<Handover['files'][number]> = [];
  for (const [i, f] of input.files.entries()) {
    const held = expected.find((x) => x.resultNumber === f.resultNumber && x.path === f.path);
    if (!held || seen.has(label(f))) throw new ConflictError('FILE_NOT_APPROVED', `文件 ${label(f)} ${held ? '重复登记' : '不在同意共享的文件清单中'}`, [{ field: `body.files[${i}].path`, code: 'FILE_NOT_APPROVED', message: `文件 ${label(f)} 不在同意共享的文件清单中或重复` }]);
    if (held.sha256 !== f.sha256.toLowerCase()) {
      throw new ConflictError('CHECKSUM_MISMATCH', `文件 ${label(f)} 写入介质后的 SHA-256 与保管副本清单不一致（清单 ${held.sha256}），请重新写入介质后核对`, [
        { field: `body.files[${i}].sha256`, code: 'CHECKSUM_MISMATCH', message: `文件 ${label(f)} 的 SHA-256 与保管副本清单不一致` },
      ]);
    }
    seen.add(label(f));
    handed.push({ resultNumber: held.resultNumber, path: held.path, sha256: held.sha256, size: held.size });
  }
  const missing = expected.find((x) => !seen.has(label(x)));
  if (missing) throw new ConflictError('FILE_MISSING', `文件 ${label(missing)} 在同意共享的文件清单中，但未登记交接`, [{ field: 'body.files', code: 'FILE_MISSING', message: `缺少文件 ${label(missing)}` }]);

  const at = ports.now().toISOString();
  const handover: Handover = {
    custodianOrg: actor.orgCode,
    recordedBy: actor.userId,
    recordedAt: at,
    date: input.date,
    collector: { name: input.collector.name.trim(), organisation: input.collector.organisation.trim(), idType: input.collector.idType, idNumberMasked: input.collector.idNumberMasked },
    media: { type: input.media.type, serial: input.media.serial.trim() },
    files: handed,
  };
  const offline: OfflineRecord = { ...o, ...(o.scan ? { scan: { ...o.scan, verifiedAt: o.scan.verifiedAt ?? at } } : {}), handovers: [...o.handovers, handover] };
  const next = withReview(app, { ...review, offline }, [
    ...(o.scan && !o.scan.verifiedAt ? [event(at, 'confidentialityScanVerified', 'system', `保密协议签署扫描件已核对（SHA-256 ${o.scan.sha256.slice(0, 16)}…）`)] : []),
    event(
      at,
      'handedOver',
      actor.userId,
      `保管单位 ${actor.orgCode} 于 ${input.date} 向 ${handover.collector.organisation} ${handover.collector.name}（${idDocumentLabels[handover.collector.idType]} ${handover.collector.idNumberMasked}）交接 ${handed.length} 个文件，介质：${mediaTypeLabels[handover.media.type]} ${handover.media.serial}；SHA-256 与保管副本清单一致`,
    ),
  ]);
  await ports.sharing.updateApplication(
    next,
    app.version,
    withSupervision(
      audit(actor.userId, actor.orgCode, 'sharing.handover.record', `SHAREAPP#${app.applicationId}`, cmd.requestId, {
        organiserOrg: review.organiserOrg,
        date: input.date,
        collector: handover.collector,
        media: handover.media,
        files: handed.map((f) => ({ resultNumber: f.resultNumber, path: f.path, sha256: f.sha256 })),
        ...(o.scan ? { scanSha256: o.scan.sha256 } : {}),
      }),
      { meet: [{ type: sharingHandoverDue.id, subject: handoverClockSubject(app.applicationId, review.organiserOrg, actor.orgCode) }], count: [{ org: review.organiserOrg, metric: 'R17.handovers' }] },
      at,
    ),
  );
  return next;
}
