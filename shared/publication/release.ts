import * as z from 'zod/mini';
import { described } from '#shared/schemas/described.ts';
import { visibleEntry } from '#shared/catalogue/catalogue.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { SubmissionStore } from '#shared/ports/submission.ts';
import { classificationLabels, clearanceAllows, isClassified } from '#shared/reference/classifications.ts';
import { isoDateSchema } from '#shared/schemas/calendar.ts';
import type { CatalogueEntry } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { submissionIdSchema } from '#shared/schemas/submission.ts';
import type { DerivedProduct, DerivedProductStore } from '#shared/sharing/derived.ts';
import { derivedForRelease, type DerivedProductRef } from '#shared/sharing/derived-release.ts';

/**
 * Release versions (发布版本, 脱密脱敏, R11.1). A result above 公开 is never
 * published as it is: the organiser (or the custodian or a technical unit it
 * designated) prepares a release version. Its package is a submission of the
 * source's own survey task, uploaded through the same presigned, checksummed
 * upload and verified by the same automated verification (nothing copied:
 * the release refers to that submission, which must be verified). The
 * release version is a catalogue item of its own: the source's unified
 * number with a suffix (-R1, -R2 …), its own classification (公开 or 内部),
 * `release.state` pending until its publication is approved and released.
 * The source keeps its classification; 秘密 and above never get one (R5.1).
 */

export const releaseClassifications = ['public', 'internal'] as const;

export const desensitisationChangeSchema = z.object({
  action: described(z.enum(['removed', 'generalised', 'shifted'], { error: '处理方式应为 removed（删除）、generalised（概化）或 shifted（偏移）' }), 'removed 删除 · generalised 概化 · shifted 偏移'),
  target: described(z.enum(['attributes', 'precision', 'features', 'coordinates'], { error: '处理对象应为 attributes（属性）、precision（精度）、features（要素）或 coordinates（坐标）' }), 'attributes 属性 · precision 精度 · features 要素 · coordinates 坐标'),
  description: z.string().check(z.trim()).check(z.minLength(2, '请说明具体处理内容（至少 2 个字）')).check(z.maxLength(500, '处理内容不超过 500 字')),
});

export const desensitisationRecordSchema = described(z
  .object({
    changes: z.array(desensitisationChangeSchema).check(z.minLength(1, '至少记录一项删除、概化或偏移处理')).check(z.maxLength(50, '处理项不超过 50 项')),
    method: described(z.string().check(z.trim()).check(z.minLength(2, '请写明处理方法（至少 2 个字）')).check(z.maxLength(300, '处理方法不超过 300 字')), '处理方法（如坐标偏移算法、概化尺度）'),
    rule: described(z.string().check(z.trim()).check(z.minLength(2, '请写明适用规则（至少 2 个字）')).check(z.maxLength(300, '适用规则不超过 300 字')), '依据的脱密脱敏规则'),
    basisDocument: described(z.string().check(z.trim()).check(z.minLength(2, '请写明依据文件文号（至少 2 个字）')).check(z.maxLength(100, '文号不超过 100 字')), '依据文件文号'),
    performedBy: described(z.string().check(z.trim()).check(z.minLength(2, '请写明处理人或处理单位（至少 2 个字）')).check(z.maxLength(100, '处理人不超过 100 字')), '处理人（或处理单位）'),
    performedOn: described(isoDateSchema, '处理日期'),
  }), '脱密脱敏记录（R11.1）');
export type DesensitisationRecord = z.infer<typeof desensitisationRecordSchema>;

export const createReleaseBodySchema = z.object({
  submissionId: described(submissionIdSchema, '发布版本成果包：源成果所属调查任务下的一次汇交（经同样的预签名上传与自动核验，须已核验通过）'),
  classification: described(z.enum(releaseClassifications, { error: '发布版本密级应为 public（公开）或 internal（内部）' }), '发布版本的密级：public 公开 · internal 内部'),
  desensitisation: described(z.optional(desensitisationRecordSchema), '脱密脱敏记录；源成果密级高于公开时必填（缺少时 409）'),
  forSale: described(
    z.optional(z.object({
      publisher: z.string().check(z.trim()).check(z.minLength(2, '请写明出版单位（至少 2 个字）')).check(z.maxLength(100, '出版单位不超过 100 字')),
      ordering: z.string().check(z.trim()).check(z.minLength(4, '请写明订购方式（至少 4 个字）')).check(z.maxLength(500, '订购方式不超过 500 字')),
    })),
    '公开出版物（出版物）：出版单位与订购方式；发布后公开页面显示订购信息而不提供下载（R17.2）',
  ),
  derivedProductId: described(
    z.optional(z.string().check(z.trim()).check(z.minLength(1, '请填写衍生产品编号')).check(z.maxLength(100, '衍生产品编号不超过 100 字'))),
    '衍生产品编号（R18.2）：该发布版本发布一项已登记、全部来源成果均已同意发布的衍生产品，须以其来源成果之一制作；发布后衍生产品记录在本系统公开目录发布',
  ),
});
export type CreateReleaseBody = z.infer<typeof createReleaseBodySchema>;

export interface ReleaseRecord {
  readonly releaseNumber: string;
  readonly sourceNumber: string;
  readonly k: number;
  readonly submissionId: string;
  readonly classification: (typeof releaseClassifications)[number];
  readonly desensitisation?: DesensitisationRecord;
  readonly preparedBy: string;
  readonly preparedByOrg: string;
  readonly preparedAt: string;
  /** R18.2: the derived product this release version publishes. */
  readonly derivedProduct?: DerivedProductRef;
}

/** R18.2: the derived product's release pointer, written in the release's transaction conditional on the version read (else DERIVED_CHANGED). */
export interface DerivedProductWrite {
  readonly product: DerivedProduct;
  readonly previousVersion: number;
}

/** RELEASE#<sourceNumber> / R#<k>: the releases of a source (adapters/dynamo-release.ts). */
export interface ReleaseStore {
  listForSource(sourceNumber: string): Promise<ReleaseRecord[]>;
  /**
   * One transaction: the release record, the release's catalogue entry, its first version snapshot, the
   * package submission's catalogue marker and the audit record. Conditional: the release number is new
   * (else ConflictError RELEASE_NUMBER_TAKEN), the submission not yet catalogued (AlreadyCataloguedError).
   */
  create(release: ReleaseRecord, entry: CatalogueEntry, audit: AuditEntry, derived?: DerivedProductWrite): Promise<void>;
}

export const releaseSuffix = (k: number) => `-R${k}`;
export const releaseNumberOf = (sourceNumber: string, k: number) => `${sourceNumber}${releaseSuffix(k)}`;

export class ClassifiedSourceError extends ConflictError {
  constructor(n: string, label: string) {
    super('CLASSIFIED_SOURCE', `成果 ${n} 为${label}成果，涉密成果的数据不进入系统（R5.1），不能在线制作或发布发布版本；请按保密规定离线办理`);
  }
}
export class DesensitisationMissingError extends ConflictError {
  constructor(n: string, label: string) {
    super('DESENSITISATION_RECORD_MISSING', `源成果 ${n} 密级为${label}，发布版本须附脱密脱敏记录（删除、概化或偏移了什么，方法、规则、依据文号、处理人和日期）`);
  }
}

export interface CreateReleasePorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry' | 'indexEntry'>;
  readonly submissions: Pick<SubmissionStore, 'getSubmission'>;
  readonly identity: Pick<IdentityRepository, 'getOrganisation'>;
  readonly releases: ReleaseStore;
  readonly now: () => Date;
  /** R18.2: read when the body names a derived product. */
  readonly derived?: Pick<DerivedProductStore, 'get'>;
}

/** Who may prepare a release version of an entry: the organiser's reviewers and publishers, the custodian's custodians, the organiser's technical units' reviewers. */
export async function mayPrepareRelease(identity: Pick<IdentityRepository, 'getOrganisation'>, actor: Principal, entry: CatalogueEntry): Promise<boolean> {
  if (actor.orgCode === entry.organiserOrg) return actor.roles.includes('reviewer') || actor.roles.includes('publisher');
  if (actor.orgCode === entry.custodian) return actor.roles.includes('custodian');
  const organiser = await identity.getOrganisation(entry.organiserOrg);
  return (organiser?.technicalUnits ?? []).includes(actor.orgCode) && actor.roles.includes('reviewer');
}

/**
 * POST /catalogue/{resultNumber}/releases.
 *
 *  1. the source entry through the one access rule (404 above the clearance);
 *  2. the actor may prepare it (else 403);
 *  3. the source is active, itself no release, and not 秘密 or above (409, R5.1);
 *  4. a desensitisation record when the source is above 公开 (409);
 *  5. the package: a submission of the source's survey task, verified, not the source's own (409 / 404);
 *  6. with `derivedProductId` (R18.2): the derived product the release publishes (derivedForRelease: publishable,
 *     of this source, not published or released yet, else 409 naming the field); the entry is named after it;
 *  7. the release record, its catalogue entry (and the product's release pointer) in one audited transaction; the entry indexed.
 */
export async function createRelease(ports: CreateReleasePorts, cmd: { actor: Principal; resultNumber: string; body: CreateReleaseBody; requestId: string }): Promise<{ release: ReleaseRecord; entry: CatalogueEntry }> {
  const { actor, body } = cmd;
  const source = await visibleEntry(ports.catalogue, actor, cmd.resultNumber);
  if (!(await mayPrepareRelease(ports.identity, actor, source))) {
    throw new ForbiddenError(`无权制作发布版本：由组织单位（${source.organiserOrg}）的审核或发布审批人、保管单位（${source.custodian}）的成果保管人或组织单位指定的技术单位制作`);
  }
  if (source.release) throw new ConflictError('SOURCE_IS_RELEASE', `${source.resultNumber} 本身是发布版本，请以源成果 ${source.release.sourceNumber} 制作新的发布版本`);
  if (source.status !== 'active') throw new ConflictError('ENTRY_DESTROYED', `成果 ${source.resultNumber} 已销毁`);
  const label = classificationLabels[source.classification];
  if (isClassified(source.classification)) throw new ClassifiedSourceError(source.resultNumber, label);
  if (source.classification !== 'public' && !body.desensitisation) throw new DesensitisationMissingError(source.resultNumber, label);
  const pkg = await ports.submissions.getSubmission(body.submissionId);
  if (!pkg || pkg.taskId !== source.taskId) throw new NotFoundError(`汇交 ${body.submissionId} 不存在或不属于源成果的调查任务 ${source.taskId}`);
  if (pkg.submissionId === source.submissionId) throw new ConflictError('PACKAGE_IS_SOURCE', '发布版本成果包不能是源成果本身的汇交，请上传脱密脱敏后的成果包');
  if (pkg.status !== 'verified') throw new ConflictError('PACKAGE_NOT_VERIFIED', `发布版本成果包（汇交 ${pkg.submissionId}）尚未通过核验，请待自动核验通过后再登记`);
  const existing = await ports.releases.listForSource(source.resultNumber);
  const k = existing.reduce((m, r) => Math.max(m, r.k), 0) + 1;
  const at = ports.now().toISOString();
  const releaseNumber = releaseNumberOf(source.resultNumber, k);
  let derived: Awaited<ReturnType<typeof derivedForRelease>> | undefined;
  if (body.derivedProductId) {
    if (!ports.derived) throw new Error('createRelease: a derived product store is needed for derivedProductId');
    derived = await derivedForRelease(ports.derived, { actor, productId: body.derivedProductId, sourceNumber: source.resultNumber, releaseNumber, at });
  }
  const release: ReleaseRecord = {
    releaseNumber,
    sourceNumber: source.resultNumber,
    k,
    submissionId: pkg.submissionId,
    classification: body.classification,
    ...(body.desensitisation ? { desensitisation: body.desensitisation } : {}),
    preparedBy: actor.userId,
    preparedByOrg: actor.orgCode,
    preparedAt: at,
    ...(derived ? { derivedProduct: derived.ref } : {}),
  };
  const entry: CatalogueEntry = {
    ...source,
    resultNumber: release.releaseNumber,
    name: derived ? `${derived.ref.name}（衍生产品${classificationLabels[body.classification]}发布版）` : `${source.name}（${classificationLabels[body.classification]}发布版）`,
    format: pkg.catalogue.format,
    classification: body.classification,
    submissionId: pkg.submissionId,
    status: 'active',
    release: { sourceNumber: source.resultNumber, state: 'pending', ...(body.forSale ? { forSale: body.forSale } : {}), ...(derived ? { derivedProduct: derived.ref } : {}) },
    version: 1,
    createdAt: at,
    createdBy: actor.userId,
    updatedAt: at,
    updatedBy: actor.userId,
  };
  await ports.releases.create(release, entry, {
    actor: actor.userId,
    orgCode: actor.orgCode,
    action: 'publication.release.create',
    target: `CAT#${source.resultNumber}`,
    outcome: 'success',
    requestId: cmd.requestId,
    detail: { releaseNumber: release.releaseNumber, submissionId: pkg.submissionId, classification: body.classification, desensitisation: body.desensitisation ?? null, derivedProductId: derived?.ref.productId ?? null },
  }, derived ? { product: derived.next, previousVersion: derived.previousVersion } : undefined);
  await ports.catalogue.indexEntry(entry);
  return { release, entry };
}

/** GET /catalogue/{resultNumber}/releases: the release versions of a source, each only if the reader could read its entry (same rule). */
export async function listReleases(
  ports: { catalogue: Pick<CatalogueStore, 'getEntry'>; releases: Pick<ReleaseStore, 'listForSource'> },
  cmd: { actor: Principal; resultNumber: string },
): Promise<ReleaseRecord[]> {
  const source = await visibleEntry(ports.catalogue, cmd.actor, cmd.resultNumber);
  return (await ports.releases.listForSource(source.resultNumber)).filter((r) => clearanceAllows(cmd.actor.clearance, r.classification));
}
