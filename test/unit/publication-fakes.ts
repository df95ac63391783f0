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
