import { DynamoIdentityRepository } from '#adapters/dynamo-identity.ts';
import { InMemoryTables } from '#test/fakes/audit-store.ts';
import { keys } from '#adapters/dynamo.ts';
import { writeOrder } from '#shared/audit/item-states.ts';
import { shardOf } from '#shared/audit/shards.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { auditTrail, type AuditTrail } from '#adapters/audited-write.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { ClearanceChange, DirectoryAdministration, IdentityAdministration, IdentityRepository, PersonLookup, SignInAccounts } from '#shared/ports/identity.ts';
import { organisationSchema, userSchema, type Organisation, type User } from '#shared/schemas/identity.ts';
import { seed } from '#infra/local/seed.ts';

/**
 * The registry and logs tables in memory, seeded with the demo data through
 * the real seed; reads follow the registry key design (gsi1 by parent /
 * by organisation), writes go through the real adapter's conditional update
 * and auditedWrite.
 */
export class FakeIdentity implements IdentityRepository, IdentityAdministration, DirectoryAdministration, PersonLookup {
  readonly trail: AuditTrail;
  private readonly writer: DynamoIdentityRepository;

  private constructor(readonly tables: InMemoryTables) {
    this.writer = new DynamoIdentityRepository('registry', tables);
    this.trail = auditTrail(tables);
  }

  static async seeded(): Promise<FakeIdentity> {
    const tables = new InMemoryTables('logs');
    const identity = new FakeIdentity(tables);
    await seed({ registryTable: 'registry', logsTable: 'logs', store: tables, identity });
    return identity;
  }

  /** Over existing tables (not seeded). */
  static over(tables: InMemoryTables): FakeIdentity {
    return new FakeIdentity(tables);
  }

  async getUser(userId: string): Promise<User | undefined> {
    const item = this.tables.get('registry', { pk: `USER#${userId}`, sk: 'META' });
    return item ? userSchema.parse(item) : undefined;
  }

  async getOrganisation(code: string): Promise<Organisation | undefined> {
    const item = this.tables.get('registry', { pk: `ORG#${code}`, sk: 'META' });
    return item ? organisationSchema.parse(item) : undefined;
  }

  async listOrganisations(parentCode?: string): Promise<Organisation[]> {
    return this.byGsi(`ORGS#${parentCode ?? 'ROOT'}`).map((i) => organisationSchema.parse(i));
  }

  async listUsers(orgCode: string): Promise<User[]> {
    return this.byGsi(`USERS#${orgCode}`).map((i) => userSchema.parse(i));
  }

  updateClearance(change: ClearanceChange, entry: AuditEntry): Promise<{ seq: number }> {
    return this.writer.updateClearance(change, entry);
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const item = this.tables.get('registry', { pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'META' });
    return typeof item?.['userId'] === 'string' ? this.getUser(item['userId']) : undefined;
  }

  async findUserBySubject(subject: string): Promise<User | undefined> {
    const item = this.tables.get('registry', { pk: `SUBJECT#${subject}`, sk: 'META' });
    return typeof item?.['userId'] === 'string' ? this.getUser(item['userId']) : undefined;
  }

  createOrganisation(org: Organisation, entry: AuditEntry) {
    return this.writer.createOrganisation(org, entry);
  }
  replaceOrganisation(before: Organisation, after: Organisation, entry: AuditEntry) {
    return this.writer.replaceOrganisation(before, after, entry);
  }
  createUser(user: User, entry: AuditEntry) {
    return this.writer.createUser(user, entry);
  }
  replaceUser(before: User, after: User, entry: AuditEntry) {
    return this.writer.replaceUser(before, after, entry);
  }

  /** Audit records of every shard's chain, in the order they were written (seq order within a chain). */
  auditRecords(): Record<string, unknown>[] {
    const records = this.tables.scan('logs').filter((i) => String(i['sk']).startsWith('SEQ#'));
    return writeOrder(records as unknown as AuditRecord[]) as unknown as Record<string, unknown>[];
  }

  /** The records of the chain an organisation's writes go to (shared/audit/shards.ts). */
  chainRecords(orgCode: string): Record<string, unknown>[] {
    return this.tables.scan('logs').filter((i) => i['pk'] === keys.auditPartition(shardOf(orgCode)) && String(i['sk']).startsWith('SEQ#'));
  }

  private byGsi(pk: string): Record<string, unknown>[] {
    return this.tables.scan('registry').filter((i) => i['gsi1pk'] === pk);
  }
}

/** Sign-in accounts in memory: who was invited, disabled, enabled (the Cognito adapter's calls, recorded). */
export class FakeAccounts implements SignInAccounts {
  readonly kind = 'cognito' as const;
  readonly accounts = new Map<string, { email: string; enabled: boolean }>();
  readonly calls: string[] = [];
  async invite(user: { userId: string; email: string }) {
    this.calls.push(`invite ${user.userId}`);
    if (this.accounts.has(user.userId)) return { invited: false };
    this.accounts.set(user.userId, { email: user.email, enabled: true });
    return { invited: true };
  }
  async disable(userId: string) {
    this.calls.push(`disable ${userId}`);
    const a = this.accounts.get(userId);
    if (a) a.enabled = false;
  }
  async enable(userId: string) {
    this.calls.push(`enable ${userId}`);
    const a = this.accounts.get(userId);
    if (a) a.enabled = true;
  }
}
