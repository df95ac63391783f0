import type { GrantCallLine, SharingLog } from '#shared/sharing/grant-log.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { chinaDate } from '#shared/calendar/dates.ts';
import type { PublicApplication, PublicApplicationStore } from '#shared/sharing/public-model.ts';
import type { SubscriptionStore } from '#shared/sharing/push.ts';
import { GrantExistsError, type DownloadLinks, type DownloadLogLine, type SharingApplication, type SharingDocuments, type SharingGrant, type SharingStore, type UsageCounter } from '#shared/sharing/model.ts';

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

  async listApplications(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<SharingApplication[]> {
    const key = (a: SharingApplication) => `${a.requestedAt}#${a.applicationId}`;
    return [...this.apps.values()]
      .filter((a) => (side === 'by' ? a.requesterOrg === orgCode : a.items.some((i) => i.organiserOrg === orgCode)))
      .filter((a) => before === undefined || key(a) < before)
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
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

/** Public applications in memory, with the adapter's conditions (version; the per-email-per-day limit checked before anything is stored). */
export class FakePublicApplicationStore implements PublicApplicationStore {
  readonly apps = new Map<string, PublicApplication>();
  readonly addressed = new Map<string, string[]>();
  readonly rates = new Map<string, number>();
  readonly audits: AuditEntry[] = [];

  async create(app: PublicApplication, rate: { emailKey: string; day: string; max: number }, audit: AuditEntry): Promise<void> {
    const key = `${rate.emailKey}|${rate.day}`;
    const n = this.rates.get(key) ?? 0;
    if (n >= rate.max) throw new ConflictError('TOO_MANY_APPLICATIONS', 'too many');
    if (this.apps.has(app.applicationId)) throw new ConflictError('PUBLIC_APPLICATION_EXISTS', 'exists');
    this.rates.set(key, n + 1);
    this.apps.set(app.applicationId, copy(app));
    this.audits.push(audit);
  }

  async get(id: string): Promise<PublicApplication | undefined> {
    const a = this.apps.get(id);
    return a && copy(a);
  }

  async update(app: PublicApplication, previousVersion: number, audit: AuditEntry, opts?: { listed?: boolean }): Promise<void> {
    if (this.apps.get(app.applicationId)?.version !== previousVersion) throw new ConflictError('PUBLIC_APPLICATION_CHANGED', 'changed');
    this.apps.set(app.applicationId, copy(app));
    if (opts?.listed) this.addressed.set(app.answeringOrg, [...(this.addressed.get(app.answeringOrg) ?? []).filter((x) => x !== app.applicationId), app.applicationId]);
    this.audits.push(audit);
  }

  async listAddressed(orgCode: string, limit: number): Promise<PublicApplication[]> {
    return (this.addressed.get(orgCode) ?? [])
      .map((id) => this.apps.get(id)!)
      .sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : -1))
      .slice(0, limit)
      .map(copy);
  }
}

/** Subscriptions and pushes in memory, writing the grant into the sharing fake as the adapter's one transaction does. */
export class FakeSubscriptionStore implements SubscriptionStore {
  readonly subs = new Map<string, Set<string>>();
  readonly pushes = new Set<string>();
  readonly audits: AuditEntry[] = [];
  constructor(private readonly sharing: FakeSharingStore) {}

  async subscribe(grant: SharingGrant, previousVersion: number, audit: AuditEntry): Promise<void> {
    if (this.sharing.grants.get(grant.grantId)?.version !== previousVersion) throw new ConflictError('GRANT_CHANGED', 'changed');
    this.sharing.grants.set(grant.grantId, copy(grant));
    for (const n of grant.resultNumbers) this.subs.set(n, new Set([...(this.subs.get(n) ?? []), grant.grantId]));
    this.audits.push(audit);
  }

  async subscribers(resultNumber: string): Promise<string[]> {
    return [...(this.subs.get(resultNumber) ?? [])];
  }

  async recordPush(push: { grantId: string; resultNumber: string; version: number; at: string }, audit: AuditEntry): Promise<boolean> {
    const key = `${push.grantId}|${push.resultNumber}|${push.version}`;
    if (this.pushes.has(key)) return false;
    this.pushes.add(key);
    this.audits.push(audit);
    return true;
  }
}

/** The documents bucket for the offline chain: write-once puts, presigned PUTs recorded, uploads simulated. */
export class FakeSharingDocuments implements SharingDocuments {
  readonly objects = new Map<string, Uint8Array>();
  readonly presigned: Array<{ key: string; sha256: string; size: number; contentType: string }> = [];
  async putText(key: string, body: string): Promise<void> {
    await this.putOnce(key, body);
  }
  async putOnce(key: string, body: string): Promise<boolean> {
    if (this.objects.has(key)) return false;
    this.objects.set(key, new TextEncoder().encode(body));
    return true;
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }
  async presignPut(key: string, opts: { sha256: string; size: number; contentType: string; expiresInSeconds: number }) {
    this.presigned.push({ key, sha256: opts.sha256, size: opts.size, contentType: opts.contentType });
    return { url: `https://documents.example/${key}?X-Amz-Expires=${opts.expiresInSeconds}`, headers: { 'if-none-match': '*', 'content-length': String(opts.size) }, expiresAt: '2026-09-21T02:15:00.000Z' };
  }
  /** What the client does with the presigned URL (S3 would refuse a second object at the key). */
  upload(key: string, bytes: Uint8Array): void {
    if (this.objects.has(key)) throw new Error('412');
    this.objects.set(key, bytes);
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
  async list(side: 'by' | 'to', orgCode: string, limit: number, before?: string): Promise<DerivedProduct[]> {
    const key = (p: DerivedProduct) => `${p.registeredAt}#${p.productId}`;
    return [...this.items.values()]
      .filter((p) => (side === 'by' ? p.requesterOrg === orgCode : p.reviews.some((r) => r.organiserOrg === orgCode)))
      .filter((p) => before === undefined || key(p) < before)
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .slice(0, limit)
      .map(copy);
  }
}

/** The sharing log of the calls on a grant other than downloads (R16.1), in memory, keyed like the adapter: the same request's line again (a retry) replaces itself. */
export class FakeSharingLog implements SharingLog {
  readonly lines: GrantCallLine[] = [];
  async append(line: GrantCallLine): Promise<void> {
    const same = this.lines.findIndex((l) => l.grantId === line.grantId && l.at === line.at && l.requestId === line.requestId && l.call === line.call);
    if (same >= 0) this.lines[same] = line;
    else this.lines.push(line);
  }
}
