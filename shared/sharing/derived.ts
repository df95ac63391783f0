import { chinaDateTime } from '#shared/calendar/dates.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import type { Mailer } from '#shared/ports/mailer.ts';
import type { HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import { classificationLabels, classifications, clearanceAllows, type Classification } from '#shared/reference/classifications.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import { noteTouched } from '#shared/security/context.ts';
import { withSupervision, type CountIncrement } from '#shared/supervision/clocks.ts';
import { evaluationCounts } from '#shared/supervision/evaluation-counts.ts';
import type { HumanTaskKind } from '#shared/tasks/kinds.ts';
import { named, userLabel } from '#shared/tasks/mail.ts';
import * as z from 'zod/mini';
import type { SharingDecision, SharingStore, TimelineEvent } from './model.ts';

/**
 * Derived products (衍生产品, R18.2; issue 17): a requester registers a
 * product it made from shared results (name, description, the source results
 * by unified number, the grant it held them under, what was done) before it
 * publishes it anywhere. Each organiser of a non-public source gets a
 * confidentiality-review human task (同意发布 / 不予发布, DerivedProductReview);
 * only when every source is approved is the product publishable, and the
 * record names its sources. A source the requester never held under that
 * grant: 409.
 */
export const derivedProductReviewKindId = 'derivedProductReview';
export const derivedProductReviewStateMachine = 'DerivedProductReview';

export const derivedReviewStatuses = ['pending', 'approved', 'refused', 'notRequired'] as const;
export type DerivedReviewStatus = (typeof derivedReviewStatuses)[number];
export const derivedReviewStatusLabels: Record<DerivedReviewStatus, string> = { pending: '待保密审查', approved: '同意发布', refused: '不予发布', notRequired: '公开成果，无需审查' };
export const derivedStatuses = ['reviewing', 'publishable', 'refused'] as const;
export type DerivedStatus = (typeof derivedStatuses)[number];
export const derivedStatusLabels: Record<DerivedStatus, string> = { reviewing: '保密审查中', publishable: '可以发布', refused: '不予发布' };

export interface DerivedSource {
  readonly resultNumber: string;
  readonly organiserOrg: string;
  readonly classification: Classification;
  /**
   * The source's custodian, as its catalogue entry names it (the application item copies it from the entry when
   * the application is made): the review is counted for the custodian's quarterly evaluation (R19.2). Products
   * registered before it was recorded have none, and their reviews count for the organiser only.
   */
  readonly custodianOrg?: string;
}

export interface DerivedReview {
  readonly organiserOrg: string;
  readonly resultNumbers: readonly string[];
  readonly status: DerivedReviewStatus;
  readonly decision?: { readonly taskId: string; readonly reasons: string; readonly decidedBy: string; readonly decidedAt: string };
}

export interface DerivedProduct {
  readonly productId: string;
  readonly requesterOrg: string;
  readonly registeredBy: string;
  readonly registeredAt: string;
  readonly name: string;
  readonly description: string;
  /** What was done to the sources (processing, aggregation, generalisation …). */
  readonly processing: string;
  readonly grantId: string;
  readonly sources: readonly DerivedSource[];
  readonly reviews: readonly DerivedReview[];
  readonly status: DerivedStatus;
  readonly timeline: readonly TimelineEvent[];
  readonly version: number;
  /**
   * Where it was published (R18.2): outside this system (recorded by the requester once it is publishable), or in
   * this system's public catalogue through its release version (`releaseNumber`; recorded when PublishRelease
   * released it, `withdrawn` when that release was withdrawn).
   */
  readonly publication?: {
    readonly where: string;
    readonly publishedOn: string;
    readonly recordedBy: string;
    readonly recordedAt: string;
    readonly releaseNumber?: string;
    readonly withdrawn?: { readonly at: string; readonly reason: string };
  };
  /** Its release version in this system's publication flow (shared/sharing/derived-release.ts), written in the release's transaction. */
  readonly release?: DerivedRelease;
}

export const derivedReleaseStates = ['pending', 'released', 'withdrawn'] as const;
export const derivedReleaseStateLabels: Record<(typeof derivedReleaseStates)[number], string> = { pending: '发布流程中', released: '已在本系统公开目录发布', withdrawn: '发布版本已撤回' };
export interface DerivedRelease {
  readonly releaseNumber: string;
  readonly sourceNumber: string;
  readonly state: (typeof derivedReleaseStates)[number];
  readonly createdBy: string;
  readonly createdByOrg: string;
  readonly createdAt: string;
}

/** DERIVED#<id> on the registry (adapters/dynamo-derived.ts): created once, then conditional on `version`; each write with its audit record. */
export interface DerivedProductStore {
  /** With the list pointers of the registering organisation and of each organiser of its sources, in the same transaction. */
  create(p: DerivedProduct, audit: AuditEntry): Promise<void>;
  get(productId: string): Promise<DerivedProduct | undefined>;
  update(p: DerivedProduct, previousVersion: number, audit: AuditEntry): Promise<void>;
  /**
   * Newest first: the organisation's own products (`by`), or those with a source it organises (`to`);
   * `before` (a page's cursor, `<registeredAt>#<productId>` of its last product) continues after it.
   */
  list(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<DerivedProduct[]>;
}

export interface DerivedInput {
  readonly name: string;
  readonly description: string;
  readonly processing: string;
  readonly grantId: string;
  readonly sources: readonly string[];
}

const highest = (cs: readonly Classification[]): Classification => cs.reduce<Classification>((a, c) => (classifications.indexOf(c) > classifications.indexOf(a) ? c : a), 'public');
const ev = (at: string, type: string, by: string, note: string): TimelineEvent => ({ at, type, by, note });
const auditOf = (actor: string, orgCode: string, action: string, productId: string, requestId: string, detail: Record<string, unknown>): AuditEntry => ({
  actor,
  orgCode,
  action,
  target: `DERIVED#${productId}`,
  outcome: 'success',
  requestId,
  detail,
});
/** A product's classification for the read rule: the highest of its sources'. */
export const derivedClassification = (p: Pick<DerivedProduct, 'sources'>): Classification => highest(p.sources.map((s) => s.classification));
export const derivedExecutionName = (productId: string, organiserOrg: string) => `${productId}-${organiserOrg}`;

function statusOf(reviews: readonly DerivedReview[]): DerivedStatus {
  if (reviews.some((r) => r.status === 'refused')) return 'refused';
  return reviews.every((r) => r.status === 'approved' || r.status === 'notRequired') ? 'publishable' : 'reviewing';
}

/**
 * POST /sharing/derived-products (R18.2).
 *  1. the grant is the requester organisation's (else 404) and was signed — its files were handed out;
 *  2. every source is a result of that grant (else 409 SOURCE_NOT_HELD naming it: the requester never held it);
 *  3. one review per organiser of the sources; an organiser whose sources are all 公开 needs none;
 *  4. stored with its audit record; one DerivedProductReview per organiser to review starts (execution `<id>-<org>`).
 */
export async function registerDerivedProduct(
  ports: { sharing: Pick<SharingStore, 'getGrant' | 'getApplication'>; derived: DerivedProductStore; workflow: Pick<Workflow, 'start'>; now: () => Date; newId: () => string },
  cmd: { actor: Principal; input: DerivedInput; requestId: string },
): Promise<DerivedProduct> {
  const { actor, input } = cmd;
  const grant = await ports.sharing.getGrant(input.grantId);
  if (!grant || grant.requesterOrg !== actor.orgCode || !clearanceAllows(actor.clearance, grant.classification)) throw new NotFoundError(`共享授权 ${input.grantId} 不存在`);
  const issues: FieldIssue[] = [];
  const numbers = [...new Set(input.sources)];
  if (numbers.length !== input.sources.length) issues.push({ field: 'body.sources', code: 'DUPLICATE', message: '来源成果重复' });
  if (issues.length > 0) throw new ValidationError(`请求参数有误：${issues.map((x) => `${x.field} ${x.message}`).join('；')}`, issues);
  const held = grant.signature ? new Set(grant.resultNumbers) : new Set<string>();
  for (const [i, n] of input.sources.entries()) {
    if (!held.has(n)) throw new ConflictError('SOURCE_NOT_HELD', `body.sources[${i}]：本单位未通过共享授权 ${grant.grantId} 获得成果 ${n}（${grant.signature ? '该授权不含此成果' : '该授权尚未签署使用协议，未提供任何成果'}），不能登记为来源`);
  }
  const app = await ports.sharing.getApplication(grant.applicationId);
  const sources: DerivedSource[] = numbers.map((n) => {
    const item = app?.items.find((i) => i.resultNumber === n);
    const custodianOrg = item?.custodianOrg ?? (grant.custodianOrgs.length === 1 ? grant.custodianOrgs[0] : undefined);
    return { resultNumber: n, organiserOrg: item?.organiserOrg ?? grant.organiserOrg, classification: item?.classification ?? grant.classification, ...(custodianOrg ? { custodianOrg } : {}) };
  });
  const organisers = [...new Set(sources.map((s) => s.organiserOrg))];
  const reviews: DerivedReview[] = organisers.map((org) => {
    const mine = sources.filter((s) => s.organiserOrg === org);
    return { organiserOrg: org, resultNumbers: mine.map((s) => s.resultNumber), status: mine.every((s) => s.classification === 'public') ? 'notRequired' : 'pending' };
  });
  const at = ports.now().toISOString();
  const productId = ports.newId();
  const product: DerivedProduct = {
    productId,
    requesterOrg: actor.orgCode,
    registeredBy: actor.userId,
    registeredAt: at,
    name: input.name.trim(),
    description: input.description.trim(),
    processing: input.processing.trim(),
    grantId: grant.grantId,
    sources,
    reviews,
    status: statusOf(reviews),
    timeline: [
      ev(at, 'registered', actor.userId, `登记衍生产品（来源成果 ${numbers.join('、')}，共享授权 ${grant.grantId}）`),
      ...reviews.map((r) => ev(at, r.status === 'pending' ? 'reviewOpened' : 'reviewNotRequired', 'system', r.status === 'pending' ? `已送组织单位 ${r.organiserOrg} 保密审查（${r.resultNumbers.join('、')}）` : `${r.resultNumbers.join('、')} 为公开成果，无需保密审查`)),
    ],
    version: 1,
  };
  await ports.derived.create(product, auditOf(actor.userId, actor.orgCode, 'sharing.derived.register', productId, cmd.requestId, { grantId: grant.grantId, sources: numbers, name: product.name }));
  for (const r of reviews) if (r.status === 'pending') await ports.workflow.start(derivedProductReviewStateMachine, derivedExecutionName(productId, r.organiserOrg), { productId, organiserOrg: r.organiserOrg });
  return product;
}

/**
 * `R18.2.reviewed` for the organiser, and `eval:<organiser>:R18.2.reviewed` on the counters item of each distinct
 * custodian of the review's sources (R19.2: the custodian's quarterly evaluation shows its derived products
 * reviewed). At most one counter Update per organisation × month: the organiser plus the review's distinct
 * custodians (≤ maxResultsPerApplication), well inside one transaction.
 */
export function reviewedCounts(p: Pick<DerivedProduct, 'sources'>, review: Pick<DerivedReview, 'organiserOrg' | 'resultNumbers'>): CountIncrement[] {
  const custodians = p.sources.filter((s) => review.resultNumbers.includes(s.resultNumber) && s.custodianOrg).map((s) => ({ custodianOrg: s.custodianOrg!, organiserOrg: review.organiserOrg }));
  return [{ org: review.organiserOrg, metric: 'R18.2.reviewed' }, ...evaluationCounts(custodians, 'R18.2.reviewed')];
}

/**
 * DerivedProductReview › Record Review: the organiser's 同意发布 / 不予发布 (or an
 * unanswered review: 不予发布) recorded once; the product becomes publishable
 * when every source is approved, refused when any is; `R18.2.reviewed` counted
 * for the organiser in the same audited transaction; the registrant is emailed.
 */
export async function recordDerivedReview(
  ports: { derived: DerivedProductStore; identity: Pick<IdentityRepository, 'getUser'>; mailer: Mailer; now: () => Date },
  cmd: { productId: string; organiserOrg: string; approval?: SharingDecision | undefined; timedOut?: boolean | undefined; requestId: string },
): Promise<DerivedProduct> {
  const p = await ports.derived.get(cmd.productId);
  if (!p) throw new NotFoundError(`衍生产品 ${cmd.productId} 不存在`);
  const review = p.reviews.find((r) => r.organiserOrg === cmd.organiserOrg);
  if (!review) throw new NotFoundError(`衍生产品 ${cmd.productId} 没有组织单位 ${cmd.organiserOrg} 的审查`);
  if (review.status !== 'pending') return p;
  const at = ports.now().toISOString();
  const approved = cmd.approval?.decision === 'approve';
  const reasons = cmd.approval?.reasons.trim() || (cmd.timedOut ? '保密审查未能在期限内完成，按不予发布处理，可重新登记' : approved ? '' : '未说明');
  const decided: DerivedReview = {
    ...review,
    status: approved ? 'approved' : 'refused',
    decision: { taskId: cmd.approval?.taskId ?? 'none', reasons, decidedBy: cmd.approval?.decidedBy ?? 'system', decidedAt: cmd.approval?.decidedAt ?? at },
  };
  const reviews = p.reviews.map((r) => (r.organiserOrg === cmd.organiserOrg ? decided : r));
  const status = statusOf(reviews);
  const next: DerivedProduct = {
    ...p,
    reviews,
    status,
    timeline: [
      ...p.timeline,
      ev(at, approved ? 'approved' : 'refused', decided.decision!.decidedBy, `组织单位 ${cmd.organiserOrg} ${approved ? '同意发布' : '不予发布'}（${review.resultNumbers.join('、')}）${reasons ? `：${reasons}` : ''}`),
      ...(status !== p.status ? [ev(at, status, 'system', status === 'publishable' ? `全部来源成果均已同意发布，可以发布；发布时应注明来源：${p.sources.map((s) => s.resultNumber).join('、')}` : '有来源成果的组织单位不予发布，该衍生产品不得发布')] : []),
    ],
    version: p.version + 1,
  };
  await ports.derived.update(
    next,
    p.version,
    withSupervision(auditOf(`system:RecordDerivedReview`, cmd.organiserOrg, approved ? 'sharing.derived.approve' : 'sharing.derived.refuse', p.productId, cmd.requestId, { reasons, decision: decided.decision, status }), { count: reviewedCounts(p, review) }, at),
  );
  const u = await ports.identity.getUser(p.registeredBy);
  if (u) {
    await ports.mailer.send({
      to: [u.email],
      subject: `【衍生产品保密审查】${p.name}：${approved ? '同意发布' : '不予发布'}`,
      text: [
        `您单位登记的衍生产品“${p.name}”（${p.productId}）中，组织单位 ${cmd.organiserOrg} 对来源成果 ${review.resultNumbers.join('、')} 的保密审查结论：${approved ? '同意发布' : '不予发布'}。`,
        ...(reasons ? [`理由：${reasons}`] : []),
        `当前状态：${derivedStatusLabels[status]}。${status === 'publishable' ? `发布时应注明来源成果：${p.sources.map((s) => s.resultNumber).join('、')}。` : ''}`,
      ].join('\n'),
    });
  }
  return next;
}

/**
 * POST /sharing/derived-products/{productId}/publication (R18.2): the registrant's organisation records where a
 * publishable product was published outside this system (a website, a report, a map series; the date).
 *  1. the product is its organisation's (else 404, as a read);
 *  2. every source approved (publishable), else 409 DERIVED_NOT_PUBLISHABLE;
 *  3. recorded once: the same place and date again → changed=false; another one after it → 409 PUBLICATION_RECORDED;
 *  4. conditional on the version read, audited `sharing.derived.publish`, on the product's timeline with its sources.
 * A product released through this system's publication flow (its release version, shared/sharing/derived-release.ts)
 * has its publication recorded by that flow: 409 DERIVED_RELEASED.
 */
export async function recordDerivedPublication(
  ports: { derived: DerivedProductStore; now: () => Date },
  cmd: { actor: Principal; productId: string; where: string; publishedOn: string; requestId: string },
): Promise<{ product: DerivedProduct; changed: boolean }> {
  const p = await ports.derived.get(cmd.productId);
  if (!p || p.requesterOrg !== cmd.actor.orgCode) throw new NotFoundError(`衍生产品 ${cmd.productId} 不存在`);
  const where = cmd.where.trim();
  if (p.status !== 'publishable') throw new ConflictError('DERIVED_NOT_PUBLISHABLE', `衍生产品“${p.name}”${p.status === 'refused' ? '有来源成果的组织单位不予发布，不得发布' : '的保密审查尚未全部同意，暂不能发布'}`);
  if (p.release && !p.publication) throw new ConflictError('DERIVED_RELEASED', `衍生产品“${p.name}”已制作发布版本 ${p.release.releaseNumber}，通过本系统发布流程发布，发布情况由该流程记录`);
  if (p.publication) {
    if (p.publication.where === where && p.publication.publishedOn === cmd.publishedOn) return { product: p, changed: false };
    throw new ConflictError('PUBLICATION_RECORDED', `衍生产品“${p.name}”已登记发布于 ${p.publication.where}（${p.publication.publishedOn}）`);
  }
  const at = ports.now().toISOString();
  const next: DerivedProduct = {
    ...p,
    publication: { where, publishedOn: cmd.publishedOn, recordedBy: cmd.actor.userId, recordedAt: at },
    timeline: [...p.timeline, ev(at, 'published', cmd.actor.userId, `已于 ${cmd.publishedOn} 在 ${where} 发布，注明来源成果 ${p.sources.map((x) => x.resultNumber).join('、')}`)],
    version: p.version + 1,
  };
  await ports.derived.update(next, p.version, auditOf(cmd.actor.userId, cmd.actor.orgCode, 'sharing.derived.publish', p.productId, cmd.requestId, { where, publishedOn: cmd.publishedOn, sources: p.sources.map((x) => x.resultNumber) }));
  return { product: next, changed: true };
}

/** Who may read a product: its organisation and the organisers of its sources. Others: 404. */
export async function getDerivedProduct(ports: { derived: Pick<DerivedProductStore, 'get'> }, cmd: { actor: Principal; productId: string }) {
  const p = await ports.derived.get(cmd.productId);
  const classification = p ? highest(p.sources.map((s) => s.classification)) : 'public';
  if (!p || !(p.requesterOrg === cmd.actor.orgCode || p.reviews.some((r) => r.organiserOrg === cmd.actor.orgCode)) || !clearanceAllows(cmd.actor.clearance, classification)) {
    throw new NotFoundError(`衍生产品 ${cmd.productId} 不存在`);
  }
  noteTouched({ target: `DERIVED#${p.productId}`, classification, orgs: [p.requesterOrg, ...p.reviews.map((r) => r.organiserOrg)], access: 'read' });
  return derivedView(p);
}

/**
 * GET /sharing/derived-products (R18.2): the caller's organisation's products (`mine`, with each source's
 * review), or those with a source it organises (`addressed`: its confidentiality reviews), newest first; a
 * product above the caller's clearance is left out (as GET …/{productId} answers 404). `cursor` continues a page.
 */
export async function listDerivedProducts(
  ports: { derived: Pick<DerivedProductStore, 'list'> },
  cmd: { actor: Principal; side: 'mine' | 'addressed'; limit: number; cursor?: string | undefined },
): Promise<{ items: DerivedView[]; cursor?: string }> {
  const page = await ports.derived.list(cmd.side === 'mine' ? 'by' : 'to', cmd.actor.orgCode, cmd.limit, cmd.cursor);
  const items: DerivedView[] = [];
  for (const p of page) {
    const classification = highest(p.sources.map((s) => s.classification));
    if (!clearanceAllows(cmd.actor.clearance, classification)) continue;
    noteTouched({ target: `DERIVED#${p.productId}`, classification, orgs: [p.requesterOrg, ...p.reviews.map((r) => r.organiserOrg)], access: 'read' });
    items.push(derivedView(p));
  }
  const last = page.at(-1);
  return { items, ...(page.length === cmd.limit && last ? { cursor: `${last.registeredAt}#${last.productId}` } : {}) };
}

export type DerivedView = ReturnType<typeof derivedView>;

export function derivedView(p: DerivedProduct) {
  return {
    productId: p.productId,
    requesterOrg: p.requesterOrg,
    registeredBy: p.registeredBy,
    registeredAt: p.registeredAt,
    name: p.name,
    description: p.description,
    processing: p.processing,
    grantId: p.grantId,
    sources: p.sources.map((s) => ({ ...s, classificationLabel: classificationLabels[s.classification] })),
    reviews: p.reviews.map((r) => ({ organiserOrg: r.organiserOrg, resultNumbers: [...r.resultNumbers], status: r.status, statusLabel: derivedReviewStatusLabels[r.status], ...(r.decision ? { decision: { ...r.decision } } : {}) })),
    status: p.status,
    statusLabel: derivedStatusLabels[p.status],
    publishable: p.status === 'publishable',
    ...(p.publication ? { publication: { ...p.publication, ...(p.publication.withdrawn ? { withdrawn: { ...p.publication.withdrawn } } : {}) } } : {}),
    ...(p.release ? { release: { ...p.release, stateLabel: derivedReleaseStateLabels[p.release.state] } } : {}),
    timeline: p.timeline.map((e) => ({ ...e, atLabel: chinaDateTime(e.at) })),
  };
}

export const derivedSubjectSchema = z.object({ productId: z.string().check(z.minLength(1)), organiserOrg: z.string().check(z.minLength(1)) });

/** The organiser's confidentiality review of a derived product as a human-task kind (同意发布 / 不予发布). */
export function derivedProductReviewKind(ports: { derived: Pick<DerivedProductStore, 'get'>; identity: Pick<IdentityRepository, 'getOrganisation' | 'getUser'> }): HumanTaskKind<typeof derivedProductReviewKindId> {
  const load = async (subject: HumanTaskSubject) => {
    const { productId, organiserOrg } = derivedSubjectSchema.parse(subject);
    const p = await ports.derived.get(productId);
    if (!p) throw new NotFoundError(`衍生产品 ${productId} 不存在`);
    const review = p.reviews.find((r) => r.organiserOrg === organiserOrg);
    if (!review) throw new NotFoundError(`衍生产品 ${productId} 没有组织单位 ${organiserOrg} 的审查`);
    return { p, review, sources: p.sources.filter((s) => review.resultNumbers.includes(s.resultNumber)) };
  };
  const orgName = async (code: string) => named((await ports.identity.getOrganisation(code))?.name, code);
  return {
    kind: derivedProductReviewKindId,
    label: '衍生产品保密审查',
    role: 'reviewer',
    async protects(subject) {
      const { p, review, sources } = await load(subject);
      return { target: `DERIVED#${p.productId}`, classification: highest(sources.map((s) => s.classification)), organiserOrg: review.organiserOrg, custodianOrg: review.organiserOrg };
    },
    async describe(subject) {
      const { p, review, sources } = await load(subject);
      return {
        title: `衍生产品保密审查：${await orgName(p.requesterOrg)} 的“${p.name}”`,
        assigneeOrg: review.organiserOrg,
        details: [
          `衍生产品：${p.name}（${p.productId}）`,
          `登记单位：${await orgName(p.requesterOrg)}；登记人：${await userLabel(ports.identity, p.registeredBy)}`,
          `说明：${p.description}`,
          `加工处理：${p.processing}`,
          `来源成果（本单位组织）：${sources.map((s) => `${s.resultNumber}（${classificationLabels[s.classification]}）`).join('；')}`,
          `共享授权：${p.grantId}`,
          '同意发布：该衍生产品在全部来源成果均获同意后方可发布，并须注明来源；不予发布须填写理由，将邮件告知登记单位。',
        ],
      };
    },
    async summary(task) {
      const { p, sources } = await load(task.subject);
      return {
        kind: derivedProductReviewKindId,
        product: { productId: p.productId, name: p.name, description: p.description, processing: p.processing, requesterOrg: p.requesterOrg, requesterName: await orgName(p.requesterOrg), grantId: p.grantId, registeredAtLabel: chinaDateTime(p.registeredAt) },
        sources: sources.map((s) => ({ resultNumber: s.resultNumber, classificationLabel: classificationLabels[s.classification] })),
      };
    },
  };
}
