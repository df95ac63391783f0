import { createHash } from 'node:crypto';
import { chinaDate, isValidIsoDate } from '#shared/calendar/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/errors.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { consoleUrl, orgLabel } from '#shared/tasks/mail.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { withSupervision } from '#shared/supervision/clocks.ts';
import { processingDue } from '#shared/supervision/clock-types.ts';
import { grantStatusLabels, processingKindLabels, processingStatusLabels, type GrantFile, type ProcessingRecord, type SharingApplication, type SharingDocuments, type SharingGrant, type SharingStore } from './model.ts';
import { audit, event, grantView, mailTo, readableGrant } from './sharing.ts';

/**
 * Processing on request (按需加工, R13.1). The application asks for it (clip, convert, merge, with a free-text
 * spec); the organiser consents or refuses it explicitly with the approval (shared/sharing/review-task.ts;
 * consented: the grant carries a ProcessingRecord, shared/sharing/sharing.ts grantAccess). Then, in the system:
 *  1. the custodian proposes the work (what, who does it, by when)              POST …/processing/proposal
 *  2. a named user of the requester accepts it; the R13.1 clock starts           POST …/processing/acceptance
 *  3. the custodian declares the product and gets a write-once presigned PUT    POST …/processing/upload
 *  4. the custodian delivers it: the stored bytes hashed again, the product     POST …/processing/delivery
 *     becomes a file of the grant (SHA-256, the grant's 302, its BagIt manifest), the clock met.
 * Every step is conditional on the grant's version, audited, on the application's timeline and emailed (Chinese).
 * Free of charge: no fee field anywhere.
 */

export interface ProcessingPorts {
  readonly sharing: Pick<SharingStore, 'getGrant' | 'getApplication' | 'updateGrant'>;
  readonly identity: Pick<IdentityRepository, 'getUser' | 'getOrganisation'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
  /** The site (APP_BASE_URL): the emails link the console's grant page (its 按需加工 panel), never an API route. */
  readonly appBaseUrl: string;
}

/** The upload's presigned PUT lives this long. */
export const productUploadSeconds = 15 * 60;

/** Where a declared product is stored (documents bucket, write-once, its SHA-256 in the key: a second declaration never overwrites the first). */
export const productKey = (g: Pick<SharingGrant, 'applicationId' | 'grantId'>, sha256: string, name: string) => `sharing/${g.applicationId}/processing/${g.grantId}/${sha256}/${name}`;

const invalid = (field: string, code: string, message: string): ValidationError => new ValidationError(`请求参数有误：${field} ${message}`, [{ field, code, message }]);

/** The grant, readable by the actor (else 404), with a consented processing (else 409) and not revoked. */
async function processingGrant(ports: Pick<ProcessingPorts, 'sharing'>, actor: Principal, grantId: string): Promise<{ g: SharingGrant & { processing: ProcessingRecord }; app: SharingApplication }> {
  const g = await readableGrant(ports.sharing, actor, grantId);
  if (!g.processing) throw new ConflictError('NO_PROCESSING', `共享授权 ${grantId} 没有经组织单位同意的按需加工（R13.1）`);
  if (g.status === 'revoked') throw new ConflictError('GRANT_REVOKED', `共享授权 ${grantId} ${grantStatusLabels[g.status]}`);
  const app = await ports.sharing.getApplication(g.applicationId);
  if (!app) throw new NotFoundError(`共享申请 ${g.applicationId} 不存在`);
  return { g: g as SharingGrant & { processing: ProcessingRecord }, app };
}

function requireCustodian(actor: Principal, g: SharingGrant): void {
  if (!g.custodianOrgs.includes(actor.orgCode) || !actor.roles.includes('custodian')) throw new ForbiddenError('只有保管单位的保管人员可以提出加工方案和交付加工成果（R13.1）');
}

async function save(ports: Pick<ProcessingPorts, 'sharing' | 'now'>, g: SharingGrant, processing: ProcessingRecord, app: SharingApplication, note: { type: string; by: string; text: string }, entry: Parameters<SharingStore['updateGrant']>[4], extra: Partial<SharingGrant> = {}): Promise<SharingGrant> {
  const at = ports.now().toISOString();
  const next: SharingGrant = { ...g, ...extra, processing, version: g.version + 1 };
  const nextApp: SharingApplication = { ...app, timeline: [...app.timeline, event(at, note.type, note.by, note.text)], version: app.version + 1 };
  await ports.sharing.updateGrant(next, g.version, nextApp, app.version, entry);
  return next;
}

async function mail(ports: ProcessingPorts, userId: string, subject: string, lines: string[]): Promise<void> {
  const to = await mailTo(ports.identity, userId);
  if (to.length > 0) await ports.mailer.send({ to, subject, text: lines.join('\n') });
}

/** POST /sharing/grants/{grantId}/processing/proposal: the custodian proposes what, who and by when (replaces an unaccepted proposal). */
export async function proposeProcessing(ports: ProcessingPorts, cmd: { actor: Principal; grantId: string; input: { what: string; doneBy: string; due: string }; requestId: string }): Promise<SharingGrant> {
  const { g, app } = await processingGrant(ports, cmd.actor, cmd.grantId);
  requireCustodian(cmd.actor, g);
  const p = g.processing;
  if (p.status !== 'consented' && p.status !== 'proposed') throw new ConflictError('PROCESSING_AGREED', `按需加工${processingStatusLabels[p.status]}，不能再提出方案`);
  const today = chinaDate(ports.now());
  const due = cmd.input.due;
  if (!isValidIsoDate(due)) throw invalid('body.due', 'INVALID_DATE', '交付日期应为 YYYY-MM-DD');
  if (due < today) throw invalid('body.due', 'IN_PAST', `交付日期不能早于今天（${today}）`);
  if (due > g.to) throw invalid('body.due', 'AFTER_PERIOD', `交付日期应在授权使用期限内（至 ${g.to}）`);
  const at = ports.now().toISOString();
  const proposal = { what: cmd.input.what.trim(), doneBy: cmd.input.doneBy.trim(), due, by: cmd.actor.userId, org: cmd.actor.orgCode, at };
  const { acceptance: _a, ...rest } = p;
  const next = await save(
    ports,
    g,
    { ...rest, status: 'proposed', proposal },
    app,
    { type: 'processingProposed', by: cmd.actor.userId, text: `保管单位 ${cmd.actor.orgCode} 提出加工方案（R13.1）：${proposal.what}；承担：${proposal.doneBy}；交付日期 ${due}。待申请单位确认` },
    audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.processing.propose', `SHAREGRANT#${g.grantId}`, cmd.requestId, { ...proposal, replaces: p.proposal ? p.proposal.at : null }),
  );
  await mail(ports, app.requestedBy, `【按需加工方案待确认】${g.grantId}`, [
    `保管单位${await orgLabel(ports.identity, cmd.actor.orgCode)}为共享授权 ${g.grantId} 提出了加工方案（${p.kinds.map((k) => processingKindLabels[k]).join('、')}）：`,
    `加工内容：${proposal.what}`,
    `承担加工：${proposal.doneBy}`,
    `交付日期：${due}`,
    `请登录工作台，在共享授权页面的“按需加工”中确认：${consoleUrl(ports.appBaseUrl, 'sharing', 'grants', g.grantId)}`,
    '加工不收取任何费用（R13.1）。',
  ]);
  return next;
}

/** POST /sharing/grants/{grantId}/processing/acceptance: a named user of the requester accepts the proposal; the R13.1 clock starts on the agreed date. */
export async function acceptProcessing(ports: ProcessingPorts, cmd: { actor: Principal; grantId: string; requestId: string }): Promise<SharingGrant> {
  const { g, app } = await processingGrant(ports, cmd.actor, cmd.grantId);
  if (cmd.actor.orgCode !== g.requesterOrg || !g.users.includes(cmd.actor.userId)) throw new ForbiddenError('只有共享授权的授权使用人可以确认加工方案');
  const p = g.processing;
  if (p.status === 'consented' || !p.proposal) throw new ConflictError('NO_PROPOSAL', '保管单位尚未提出加工方案');
  if (p.status !== 'proposed') throw new ConflictError('PROCESSING_AGREED', `按需加工${processingStatusLabels[p.status]}`);
  const today = chinaDate(ports.now());
  if (p.proposal.due < today) throw new ConflictError('PROPOSAL_STALE', `加工方案的交付日期 ${p.proposal.due} 已过，请保管单位重新提出方案`);
  const at = ports.now().toISOString();
  const acceptance = { by: cmd.actor.userId, at };
  const next = await save(
    ports,
    g,
    { ...p, status: 'agreed', acceptance },
    app,
    { type: 'processingAgreed', by: cmd.actor.userId, text: `${cmd.actor.name} 确认加工方案（R13.1）：交付日期 ${p.proposal.due}，进入期限监督` },
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.processing.accept', `SHAREGRANT#${g.grantId}`, cmd.requestId, { proposal: p.proposal }),
      {
        start: [{
          type: processingDue.id,
          subject: g.grantId,
          ownerOrg: p.proposal.org,
          regionCode: p.proposal.org.slice(0, 6),
          title: `共享授权 ${g.grantId} 的按需加工（${p.kinds.map((k) => processingKindLabels[k]).join('、')}）`,
          start: today,
          due: p.proposal.due,
          provisional: false,
          basis: '保管单位提出、申请单位在系统中确认的交付日期',
        }],
      },
      at,
    ),
  );
  await mail(ports, p.proposal.by, `【按需加工方案已确认】${g.grantId}`, [
    `申请单位${await orgLabel(ports.identity, g.requesterOrg)}的 ${cmd.actor.name} 已确认共享授权 ${g.grantId} 的加工方案：${p.proposal.what}。`,
    `请于 ${p.proposal.due} 前完成加工，登录工作台在共享授权页面的“按需加工”中上传加工成果并交付：${consoleUrl(ports.appBaseUrl, 'sharing', 'grants', g.grantId)}`,
  ]);
  return next;
}

/** POST /sharing/grants/{grantId}/processing/upload: the custodian declares the product (name, SHA-256, size) and gets a write-once presigned PUT. */
export async function requestProductUpload(
  ports: Pick<ProcessingPorts, 'sharing' | 'now'> & { readonly documents: Pick<SharingDocuments, 'presignPut'> },
  cmd: { actor: Principal; grantId: string; input: { name: string; sha256: string; size: number; contentType: string }; requestId: string },
): Promise<{ upload: { url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string }; grant: SharingGrant }> {
  const { g, app } = await processingGrant(ports, cmd.actor, cmd.grantId);
  requireCustodian(cmd.actor, g);
  const p = g.processing;
  if (p.status !== 'agreed') throw new ConflictError(p.status === 'delivered' ? 'PROCESSING_DELIVERED' : 'NOT_AGREED', p.status === 'delivered' ? '加工成果已交付' : '加工方案尚未经申请单位确认，不能交付');
  const sha256 = cmd.input.sha256.toLowerCase();
  const name = cmd.input.name.trim();
  const key = productKey(g, sha256, name);
  const at = ports.now().toISOString();
  const signed = await ports.documents.presignPut(key, { sha256, size: cmd.input.size, contentType: cmd.input.contentType, expiresInSeconds: productUploadSeconds });
  const upload = { name, key, sha256, size: cmd.input.size, contentType: cmd.input.contentType, by: cmd.actor.userId, at };
  const next = await save(
    ports,
    g,
    { ...p, upload },
    app,
    { type: 'processingUploadRequested', by: cmd.actor.userId, text: `保管单位申报加工成果 ${name}（${cmd.input.size} 字节，SHA-256 ${sha256.slice(0, 16)}…），上传中` },
    audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.processing.upload', `SHAREGRANT#${g.grantId}`, cmd.requestId, { name, sha256, size: cmd.input.size, contentType: cmd.input.contentType }),
  );
  return { upload: { url: signed.url, method: 'PUT', headers: signed.headers, expiresAt: signed.expiresAt }, grant: next };
}

/**
 * POST /sharing/grants/{grantId}/processing/delivery: the uploaded bytes are read and hashed again (an emulator
 * does not check the signed checksum); equal to the declaration → the product becomes a file of the grant
 * (downloadable through the grant's 302, in its BagIt manifest), the R13.1 clock met, the requester emailed.
 */
export async function deliverProduct(
  ports: ProcessingPorts & { readonly documents: Pick<SharingDocuments, 'get'> },
  cmd: { actor: Principal; grantId: string; requestId: string },
): Promise<SharingGrant> {
  const { g, app } = await processingGrant(ports, cmd.actor, cmd.grantId);
  requireCustodian(cmd.actor, g);
  const p = g.processing;
  if (p.status === 'delivered') throw new ConflictError('PROCESSING_DELIVERED', '加工成果已交付');
  if (p.status !== 'agreed') throw new ConflictError('NOT_AGREED', '加工方案尚未经申请单位确认，不能交付');
  if (!p.upload) throw new ConflictError('NO_UPLOAD', '请先申报并上传加工成果（POST …/processing/upload）');
  const bytes = await ports.documents.get(p.upload.key);
  if (!bytes) throw new ConflictError('NOT_UPLOADED', `加工成果 ${p.upload.name} 尚未上传`);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== p.upload.sha256 || bytes.byteLength !== p.upload.size) {
    throw new ConflictError('CHECKSUM_MISMATCH', `加工成果 ${p.upload.name} 的内容与申报不符（SHA-256 ${actual.slice(0, 16)}…，${bytes.byteLength} 字节），请重新申报并上传`);
  }
  const at = ports.now().toISOString();
  const file: GrantFile = { resultNumber: g.resultNumbers[0]!, n: 0, path: `加工成果/${p.upload.name}`, key: p.upload.key, size: p.upload.size, sha256: p.upload.sha256, bucket: 'documents' };
  const files = [...g.files, file];
  const delivery = { by: cmd.actor.userId, at, fileNo: files.length };
  const next = await save(
    ports,
    g,
    { ...p, status: 'delivered', delivery },
    app,
    { type: 'processingDelivered', by: cmd.actor.userId, text: `保管单位交付加工成果 ${p.upload.name}（SHA-256 ${p.upload.sha256.slice(0, 16)}…），列入共享授权 ${g.grantId} 的文件（第 ${files.length} 个）和 BagIt 清单` },
    withSupervision(
      audit(cmd.actor.userId, cmd.actor.orgCode, 'sharing.processing.deliver', `SHAREGRANT#${g.grantId}`, cmd.requestId, { name: p.upload.name, sha256: p.upload.sha256, size: p.upload.size, fileNo: files.length }),
      { meet: [{ type: processingDue.id, subject: g.grantId }] },
      at,
    ),
    { files },
  );
  await mail(ports, app.requestedBy, `【加工成果已交付】${g.grantId}`, [
    `保管单位已交付共享授权 ${g.grantId} 的加工成果：${p.upload.name}（${p.upload.size} 字节）。`,
    `SHA-256：${p.upload.sha256}`,
    `登录工作台在共享授权页面下载（第 ${files.length} 个文件，使用期限内、签署使用协议后），并可按页面上的 BagIt 清单核对：${consoleUrl(ports.appBaseUrl, 'sharing', 'grants', g.grantId)}`,
    `也可使用命令行下载全部文件并核对：chengguo download ${g.grantId} --out ./received`,
    '加工不收取任何费用（R13.1）。',
  ]);
  return next;
}

/** The view every processing route answers with. */
export const processingGrantView = (g: SharingGrant, now: Date) => grantView(g, chinaDate(now));
