import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import { GrantExistsError, type DownloadLinks, type DownloadLogLine, type SharingApplication, type SharingGrant, type SharingStore, type UsageCounter } from '#shared/sharing/model.ts';

import type { ClockStore } from '#shared/ports/supervision.ts';
import type { DerivedProduct, DerivedProductStore } from '#shared/sharing/derived.ts';
import { applyEffects, effectsOf, type Clock } from '#shared/supervision/clocks.ts';

const copy = <T>(v: T): T => structuredClone(v);

/**
 * The sharing store in memory, with the adapter's conditions (version,
 * grant created once) and the log + counters written together; each write is
 * applied in one step after its checks, like the adapter's one transaction.
 */
export class FakeSharingStore implements SharingStore {
  readonly apps = new Map<string, SharingApplication>();
  readonly grants = new Map<string, SharingGrant>();
  readonly log: DownloadLogLine[] = [];
  readonly counters = new Map<string, { resultNumber: string; requesterOrg: string; month: string; downloads: number; bytes: number; users: Set<string> }>();
  readonly audits: AuditEntry[] = [];

  async createApplication(app: SharingApplication, audit: AuditEntry): Promise<void> {
    if (this.apps.has(app.applicationId)) throw new ConflictError('APPLICATION_CHANGED', 'exists');
    this.apps.set(app.applicationId, copy(app));
    this.audits.push(audit);
  }

  async getApplication(id: string): Promise<SharingApplication | undefined> {
    const a = this.apps.get(id);
    return a && copy(a);
  }

  private checkApp(app: SharingApplication, previousVersion: number): void {
    if (this.apps.get(app.applicationId)?.version !== previousVersion) throw new ConflictError('APPLICATION_CHANGED', 'changed');
  }

  async updateApplication(app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void> {
    this.checkApp(app, previousVersion);
    this.apps.set(app.applicationId, copy(app));
    this.audits.push(audit);
  }

  async createGrant(grant: SharingGrant, app: SharingApplication, previousVersion: number, audit: AuditEntry): Promise<void> {
    if (this.grants.has(grant.grantId)) throw new GrantExistsError(grant.grantId);
    this.checkApp(app, previousVersion);
    this.grants.set(grant.grantId, copy(grant));
    this.apps.set(app.applicationId, copy(app));
    this.audits.push(audit);
  }

  async getGrant(id: string): Promise<SharingGrant | undefined> {
    const g = this.grants.get(id);
    return g && copy(g);
  }

  async updateGrant(grant: SharingGrant, previousVersion: number, app: SharingApplication, previousAppVersion: number, audit: AuditEntry): Promise<void> {
    if (this.grants.get(grant.grantId)?.version !== previousVersion) throw new ConflictError('GRANT_CHANGED', 'changed');
    this.checkApp(app, previousAppVersion);
    this.grants.set(grant.grantId, copy(grant));
    this.apps.set(app.applicationId, copy(app));
    this.audits.push(audit);
  }

  async listApplications(side: 'by' | 'to', orgCode: string, limit: number): Promise<SharingApplication[]> {
    return [...this.apps.values()]
      .filter((a) => (side === 'by' ? a.requesterOrg === orgCode : a.items.some((i) => i.organiserOrg === orgCode)))
      .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1))
      .slice(0, limit)
      .map(copy);
  }

  async recordDownload(line: DownloadLogLine, audit: AuditEntry): Promise<void> {
    const month = chinaDate(new Date(line.at)).slice(0, 7);
    const key = `${line.resultNumber}|${line.orgCode}|${month}`;
    const c = this.counters.get(key) ?? { resultNumber: line.resultNumber, requesterOrg: line.orgCode, month, downloads: 0, bytes: 0, users: new Set<string>() };
    c.downloads += 1;
    c.bytes += line.size;
    c.users.add(line.userId);
    this.counters.set(key, c);
    this.log.push(line);
    this.audits.push(audit);
  }

  async usage(resultNumber: string): Promise<UsageCounter[]> {
    return [...this.counters.values()]
      .filter((c) => c.resultNumber === resultNumber)
      .map((c) => ({ resultNumber: c.resultNumber, requesterOrg: c.requesterOrg, month: c.month, downloads: c.downloads, bytes: c.bytes, distinctUsers: c.users.size }));
  }
}

/** Presigned URLs as the adapter shapes them, with the key and expiry visible. */
export class FakeLinks implements DownloadLinks {
  readonly issued: string[] = [];
  async presignGet(key: string, opts: { expiresInSeconds: number; fileName: string; bucket?: 'custody' | 'documents' }): Promise<string> {
    const url = `https://${opts.bucket ?? 'custody'}.example/${key}?X-Amz-Expires=${opts.expiresInSeconds}&name=${encodeURIComponent(opts.fileName)}`;
    this.issued.push(url);
    return url;
  }
}

/**
 * The clocks as the adapter would hold them, built from the audit entries the
 * fake store took (the same `applyEffects` the adapter and the rebuild use).
 */
export class ClocksFromAudits implements Pick<ClockStore, 'ownedBy'> {
  constructor(private readonly audits: () => readonly AuditEntry[]) {}
  all(): Clock[] {
    const clocks = new Map<string, Clock>();
    for (const a of this.audits()) {
      const effects = effectsOf(a);
      if (!effects) continue;
      for (const c of applyEffects(effects, (id) => clocks.get(id)).clocks) clocks.set(c.after.clockId, c.after);
    }
    return [...clocks.values()];
  }
  async ownedBy(org: string, state: Clock['state']): Promise<Clock[]> {
    return this.all().filter((c) => c.ownerOrg === org && c.state === state);
  }
}

/** Derived products in memory, created once and then conditional on `version`, like the adapter. */
export class FakeDerivedProducts implements DerivedProductStore {
  readonly items = new Map<string, DerivedProduct>();
  readonly audits: AuditEntry[] = [];
  async create(p: DerivedProduct, audit: AuditEntry): Promise<void> {
    if (this.items.has(p.productId)) throw new ConflictError('DERIVED_CHANGED', 'exists');
    this.items.set(p.productId, copy(p));
    this.audits.push(audit);
  }
  async get(id: string): Promise<DerivedProduct | undefined> {
    const p = this.items.get(id);
    return p && copy(p);
  }
  async update(p: DerivedProduct, previousVersion: number, audit: AuditEntry): Promise<void> {
    if (this.items.get(p.productId)?.version !== previousVersion) throw new ConflictError('DERIVED_CHANGED', 'changed');
    this.items.set(p.productId, copy(p));
    this.audits.push(audit);
  }
}
