import { chinaDate } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, type FieldIssue } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { CatalogueStore } from '#shared/ports/catalogue.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import { clearanceAllows } from '#shared/reference/classifications.ts';
import type { derivedProductRefSchema } from '#shared/schemas/catalogue.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type * as z from 'zod/mini';
import { derivedClassification, derivedReleaseStateLabels, type DerivedProduct, type DerivedProductStore } from './derived.ts';

/**
 * A derived product released through this system's publication flow (R18.2; issue 17 "through the publication
 * flow where it exists"). The organiser (or custodian, or a technical unit it designated) of one of the product's
 * sources prepares a release version of that source whose package is the product (POST /catalogue/{n}/releases
 * with `derivedProductId`, shared/publication/release.ts): the release record and its catalogue entry name the
 * product, and the product's pointer to its release is written in the release's transaction (conditional on the
 * product's version). The release then goes through the publication request, its reviews and approvals; when
 * PublishRelease releases it, followDerivedRelease records the product's publication (本系统公开目录, the release
 * number, the date), audited `sharing.derived.publish`, and emails the registrant; when the release is withdrawn,
 * the product's publication is marked withdrawn (`sharing.derived.withdraw`).
 */

/** Where a product released through this system is published. */
export const derivedReleasePlace = '本系统公开目录';
const system = 'system:publication';
const field = 'body.derivedProductId';

/** How a release version names the derived product it publishes (release record and catalogue entry). */
export type DerivedProductRef = z.infer<typeof derivedProductRefSchema>;

const issue = (message: string): FieldIssue[] => [{ field, code: 'DERIVED_PRODUCT', message }];

/**
 * createRelease with `derivedProductId`: the product the release version publishes.
 *  1. the product exists within the actor's clearance (else 404 naming the field);
 *  2. publishable: every source approved (else 409 DERIVED_NOT_PUBLISHABLE);
 *  3. the release's source is one of its sources (else 409 DERIVED_SOURCE_MISMATCH);
 *  4. not published outside this system (409 PUBLICATION_RECORDED) nor released already (409 DERIVED_ALREADY_RELEASED).
 * Returns the product with its release pointer and timeline event, to be written in the release's transaction.
 */
export async function derivedForRelease(
  derived: Pick<DerivedProductStore, 'get'>,
  cmd: { actor: Principal; productId: string; sourceNumber: string; releaseNumber: string; at: string },
): Promise<{ next: DerivedProduct; previousVersion: number; ref: DerivedProductRef }> {
  const p = await derived.get(cmd.productId);
  if (!p || !clearanceAllows(cmd.actor.clearance, derivedClassification(p))) throw new NotFoundError(`${field}：衍生产品 ${cmd.productId} 不存在`, issue('衍生产品不存在'));
  if (p.status !== 'publishable') {
    const m = `${field}：衍生产品“${p.name}”${p.status === 'refused' ? '有来源成果的组织单位不予发布，不得发布' : '的保密审查尚未全部同意，暂不能发布'}`;
    throw new ConflictError('DERIVED_NOT_PUBLISHABLE', m, issue(m));
  }
  if (!p.sources.some((s) => s.resultNumber === cmd.sourceNumber)) {
    const m = `${field}：衍生产品“${p.name}”（${p.productId}）的来源成果为 ${p.sources.map((s) => s.resultNumber).join('、')}，不含 ${cmd.sourceNumber}；请以其来源成果制作发布版本`;
    throw new ConflictError('DERIVED_SOURCE_MISMATCH', m, issue(m));
  }
  if (p.publication) {
    const m = `${field}：衍生产品“${p.name}”已登记发布于 ${p.publication.where}（${p.publication.publishedOn}），不再通过本系统发布`;
    throw new ConflictError('PUBLICATION_RECORDED', m, issue(m));
  }
  if (p.release) {
    const m = `${field}：衍生产品“${p.name}”已制作发布版本 ${p.release.releaseNumber}（${derivedReleaseStateLabels[p.release.state]}），不能再制作`;
    throw new ConflictError('DERIVED_ALREADY_RELEASED', m, issue(m));
  }
  const next: DerivedProduct = {
    ...p,
    release: { releaseNumber: cmd.releaseNumber, sourceNumber: cmd.sourceNumber, state: 'pending', createdBy: cmd.actor.userId, createdByOrg: cmd.actor.orgCode, createdAt: cmd.at },
    timeline: [
      ...p.timeline,
      { at: cmd.at, type: 'releaseCreated', by: cmd.actor.userId, note: `${cmd.actor.orgCode} 以来源成果 ${cmd.sourceNumber} 制作发布版本 ${cmd.releaseNumber}，通过本系统发布流程（保密审查、审批）发布到${derivedReleasePlace}` },
    ],
    version: p.version + 1,
  };
  return { next, previousVersion: p.version, ref: { productId: p.productId, name: p.name, registrantOrg: p.requesterOrg } };
}

export interface FollowDerivedReleasePorts {
  readonly catalogue: Pick<CatalogueStore, 'getEntry'>;
  readonly derived: Pick<DerivedProductStore, 'get' | 'update'>;
  readonly identity: Pick<IdentityRepository, 'getUser'>;
  readonly mailer: Mailer;
  readonly now: () => Date;
}

const audit = (p: DerivedProduct, action: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor: system,
  orgCode: p.requesterOrg,
  action,
  target: `DERIVED#${p.productId}`,
  outcome: 'success',
  requestId,
  detail,
});

/**
 * After PublishRelease or a withdrawal decision (idempotent, so a retried step changes nothing): the release
 * version of a derived product released → the product's publication recorded (本系统公开目录, the release
 * number, the China date of the release), audited `sharing.derived.publish`, the registrant emailed; withdrawn →
 * its publication marked withdrawn, audited `sharing.derived.withdraw`, the registrant emailed. A release of no
 * derived product, or one whose product already shows its state: `changed: false`.
 */
export async function followDerivedRelease(ports: FollowDerivedReleasePorts, cmd: { releaseNumber: string; requestId: string }): Promise<{ changed: boolean; productId?: string }> {
  const entry = await ports.catalogue.getEntry(cmd.releaseNumber);
  const ref = entry?.release?.derivedProduct;
  if (!entry?.release || !ref) return { changed: false };
  const p = await ports.derived.get(ref.productId);
  if (!p || p.release?.releaseNumber !== cmd.releaseNumber) return { changed: false, productId: ref.productId };
  const state = entry.release.state;
  if (!(state === 'released' || state === 'withdrawn') || p.release.state === state) return { changed: false, productId: p.productId };
  const at = ports.now().toISOString();
  const releasedAt = entry.release.releasedAt ?? at;
  const publishedOn = chinaDate(new Date(releasedAt));
  const sources = p.sources.map((s) => s.resultNumber).join('、');
  const publication = p.publication ?? { where: derivedReleasePlace, publishedOn, releaseNumber: cmd.releaseNumber, recordedBy: system, recordedAt: at };
  const w = entry.release.withdrawal;
  const next: DerivedProduct = {
    ...p,
    release: { ...p.release, state },
    publication: state === 'withdrawn' ? { ...publication, withdrawn: { at: w?.at ?? at, reason: w?.reason ?? '' } } : publication,
    timeline: [
      ...p.timeline,
      ...(p.publication ? [] : [{ at, type: 'published', by: system, note: `已于 ${publishedOn} 通过发布版本 ${cmd.releaseNumber} 在${derivedReleasePlace}发布，注明来源成果 ${sources}` }]),
      ...(state === 'withdrawn' ? [{ at, type: 'withdrawn', by: system, note: `发布版本 ${cmd.releaseNumber} 已撤回，不再公开提供${w?.reason ? `：${w.reason}` : ''}` }] : []),
    ],
    version: p.version + 1,
  };
  await ports.derived.update(
    next,
    p.version,
    state === 'withdrawn'
      ? audit(p, 'sharing.derived.withdraw', cmd.requestId, { releaseNumber: cmd.releaseNumber, reason: w?.reason ?? null })
      : audit(p, 'sharing.derived.publish', cmd.requestId, { where: derivedReleasePlace, publishedOn, releaseNumber: cmd.releaseNumber, sources: p.sources.map((s) => s.resultNumber) }),
  );
  const u = await ports.identity.getUser(p.registeredBy);
  if (u) {
    await ports.mailer.send({
      to: [u.email],
      subject: state === 'withdrawn' ? `【衍生产品发布】${p.name}：发布版本已撤回` : `【衍生产品发布】${p.name}：已在${derivedReleasePlace}发布`,
      text: (state === 'withdrawn'
        ? [`您单位登记的衍生产品“${p.name}”（${p.productId}）的发布版本 ${cmd.releaseNumber} 已撤回，${derivedReleasePlace}不再提供。`, ...(w?.reason ? [`撤回理由：${w.reason}`] : [])]
        : [`您单位登记的衍生产品“${p.name}”（${p.productId}）已于 ${publishedOn} 经审批通过发布版本 ${cmd.releaseNumber} 在${derivedReleasePlace}发布。`, `来源成果：${sources}。`]
      ).join('\n'),
    });
  }
  return { changed: true, productId: p.productId };
}
