import { AuthorityTableChangedError, type AuthorityTable, type AuthorityTableStore } from '#shared/publication/authority.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';

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
