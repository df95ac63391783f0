import { AuthorityTableChangedError, type AuthorityTable, type AuthorityTableStore } from '#shared/publication/authority.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { auditedWrite } from '#adapters/audited-write.ts';
import { derivedKey, derivedPut } from '#adapters/dynamo-derived.ts';
import type { ReleaseFileStore } from '#shared/publication/publish.ts';
import type { DesensitisationRecord } from '#shared/publication/release.ts';
import type { HumanTask } from '#shared/ports/tasks.ts';
import type { DerivedProduct, DerivedProductStore } from '#shared/sharing/derived.ts';
import type { InMemoryTables } from '#test/fakes/audit-store.ts';
import { registerCatalogueEntry } from '#shared/catalogue/catalogue.ts';
import { catalogueWorld, verifiedSubmission } from './catalogue-fakes.ts';
import { submissionWorld, type SubmissionWorld } from './submission-fakes.ts';

/** The authority table in memory: versions kept, the current one conditional on the previous version. */
export class FakeAuthorityStore implements AuthorityTableStore {
  readonly versions = new Map<number, AuthorityTable>();
  readonly audits: AuditEntry[] = [];
  private head: AuthorityTable | undefined;

  async current(): Promise<AuthorityTable | undefined> {
    return this.head;
  }
  async version(n: number): Promise<AuthorityTable | undefined> {
    return this.versions.get(n);
  }
  async put(table: AuthorityTable, audit: AuditEntry): Promise<void> {
    if ((this.head?.version ?? 0) !== table.version - 1) throw new AuthorityTableChangedError(table.version - 1);
    this.versions.set(table.version, table);
    this.head = table;
    this.audits.push(audit);
  }
}

import {
  PublicationChangedError,
  PublicationRequestedError,
  publicationIndexEntries,
  publicationIndexSortKey,
  type PublicationListSide,
  type PublicationStatus,
  type ProgrammeMember,
  type PublicationRequest,
  type PublicationRequestStore,
} from '#shared/publication/request-store.ts';

/** Publication requests in memory, with the adapter's conditions: one request per release, writes conditional on the revision. */
export class FakePublicationStore implements PublicationRequestStore {
  readonly requests = new Map<string, PublicationRequest>();
  readonly byRelease = new Map<string, string>();
  readonly programmes = new Map<string, ProgrammeMember[]>();
  readonly audits: AuditEntry[] = [];

  async get(requestId: string) {
    const r = this.requests.get(requestId);
    return r ? (structuredClone(r) as PublicationRequest) : undefined;
  }
  async requestOfRelease(releaseNumber: string) {
    return this.byRelease.get(releaseNumber);
  }
  async create(request: PublicationRequest, audit: AuditEntry) {
    if (this.requests.has(request.requestId) || this.byRelease.has(request.releaseNumber)) throw new PublicationRequestedError(request.releaseNumber);
    this.requests.set(request.requestId, structuredClone(request) as PublicationRequest);
    this.byRelease.set(request.releaseNumber, request.requestId);
    if (request.programme) this.programmes.set(request.programme, [...(this.programmes.get(request.programme) ?? []), { requestId: request.requestId, level: request.level, regionCode: request.regionCode, ...(request.taskId ? { taskId: request.taskId } : {}) }]);
    this.audits.push(audit);
  }
  async update(next: PublicationRequest, audit: AuditEntry, newRelease?: string) {
    const stored = this.requests.get(next.requestId);
    if (!stored || stored.revision !== next.revision - 1) throw new PublicationChangedError(next.requestId);
    if (newRelease && this.byRelease.has(newRelease)) throw new PublicationRequestedError(newRelease);
    this.requests.set(next.requestId, structuredClone(next) as PublicationRequest);
    if (newRelease) this.byRelease.set(newRelease, next.requestId);
    this.audits.push(audit);
  }
  async listProgramme(programme: string) {
    return [...(this.programmes.get(programme) ?? [])];
  }
  /** As the adapter's key query: the index entries of each stored request, newest first, Limit before the filter. */
  async listFor(side: PublicationListSide, org: string, opts: { status?: PublicationStatus; limit: number; cursor?: string }) {
    const keyed = [...this.requests.values()]
      .filter((r) => publicationIndexEntries(r).some((e) => e.side === side && e.org === org))
      .map((r) => ({ sk: publicationIndexSortKey(r), r }))
      .sort((a, b) => (a.sk < b.sk ? 1 : -1))
      .filter((x) => opts.cursor === undefined || x.sk < opts.cursor);
    const page = keyed.slice(0, opts.limit);
    const more = keyed.length > opts.limit;
    return { requestIds: page.filter((x) => !opts.status || x.r.status === opts.status).map((x) => x.r.requestId), ...(more ? { cursor: page.at(-1)!.sk } : {}) };
  }
}

/** The published bucket in memory: a copy needs the uploads object (same size), a repeat finds it present. */
export class FakeReleaseFiles implements ReleaseFileStore {
  readonly objects = new Map<string, { sha256: string; size: number }>();
  readonly copies: string[] = [];
  constructor(private readonly world: SubmissionWorld) {}
  async copyFromUploads(sourceKey: string, key: string, sha256: string, size: number): Promise<'copied' | 'present'> {
    const source = this.world.objects.objects.get(sourceKey);
    if (!source || source.size !== size) throw new Error(`uploads object ${sourceKey} missing or of another size`);
    if (this.objects.has(key)) return 'present';
    this.objects.set(key, { sha256, size });
    this.copies.push(key);
    return 'copied';
  }
  async presignGet(key: string, opts: { expiresInSeconds: number; filename: string }): Promise<string> {
    if (!this.objects.has(key)) throw new Error(`no published object ${key}`);
    return `https://published.test/${encodeURI(key)}?X-Amz-Expires=${opts.expiresInSeconds}&name=${encodeURIComponent(opts.filename)}`;
  }
}

/** Open human tasks by subject (what a refusal in a joint decision closes): records the expiries. */
export class FakeOpenTasks {
  readonly open: HumanTask[] = [];
  readonly expired: Array<{ id: string; audit: AuditEntry }> = [];
  async listBySubject(kind: string, subject: Record<string, unknown>): Promise<HumanTask[]> {
    return this.open.filter((t) => t.kind === kind && JSON.stringify(t.subject) === JSON.stringify(subject));
  }
  async expire(id: string, _at: string, audit: AuditEntry): Promise<void> {
    this.expired.push({ id, audit });
    const t = this.open.find((x) => x.id === id);
    if (t) Object.assign(t, { status: 'expired' });
  }
}

/**
 * Derived products (R18.2) on the world's registry table, written with the adapter's own conditional Put
 * (derivedPut) through the real auditedWrite: the same table a release's transaction writes its pointer to.
 */
export class TableDerivedProducts implements DerivedProductStore {
  constructor(
    private readonly tables: InMemoryTables,
    private readonly table = 'registry',
  ) {}
  async get(productId: string): Promise<DerivedProduct | undefined> {
    const item = this.tables.get(this.table, derivedKey(productId));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = structuredClone(item);
    return rest as unknown as DerivedProduct;
  }
  /** As the adapter's lists (newest first, `before` a cursor), read from the products themselves. */
  async list(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<DerivedProduct[]> {
    const key = (p: DerivedProduct) => `${p.registeredAt}#${p.productId}`;
    return this.tables
      .scan(this.table)
      .filter((i) => String(i['pk']).startsWith('DERIVED#') && i['sk'] === 'META')
      .map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as DerivedProduct)
      .filter((p) => (side === 'by' ? p.requesterOrg === orgCode : p.reviews.some((r) => r.organiserOrg === orgCode)))
      .filter((p) => before === undefined || key(p) < before)
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .slice(0, limit)
      .map((p) => structuredClone(p));
  }
  async create(p: DerivedProduct, audit: AuditEntry): Promise<void> {
    await auditedWrite({ items: [derivedPut(this.table, p, undefined)], entry: audit, store: this.tables });
  }
  async update(p: DerivedProduct, previousVersion: number, audit: AuditEntry): Promise<void> {
    await auditedWrite({ items: [derivedPut(this.table, p, previousVersion)], entry: audit, store: this.tables });
  }
}

/** The desensitisation record of a derived product's release version (R18.2: 黄伟's 专题图, generalised by its registrant). */
export const derivedProductRecord: DesensitisationRecord = {
  changes: [{ action: 'generalised', target: 'features', description: '水域岸线综合概括，删除坐标注记' }],
  method: '制图综合（1:5 万）',
  rule: '公开地图内容表示规定',
  basisDocument: '粤自然资发〔2026〕12 号',
  performedBy: '广州市规划和自然资源局',
  performedOn: '2026-09-20',
};

/** A 广东 land-cover source (内部, catalogued by its custodian) and a second verified package of its task named `packageName` (a release version's package). */
export async function internalSourceWithPackage(packageName: string) {
  const world = await submissionWorld();
  const cat = catalogueWorld(world);
  const sourceSubmission = await verifiedSubmission(world, { classification: 'internal', name: '2026 年度广东省地表覆盖监测成果' });
  const { entry: source } = await registerCatalogueEntry(cat.ports, { submissionId: sourceSubmission, actor: { system: 'test', orgCode: '440000-CUS' }, requestId: 'reg' });
  const pkg = await verifiedSubmission(world, { classification: 'public', name: packageName }, { taskId: source.taskId });
  return { world, cat, source, pkg };
}
