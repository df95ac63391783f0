import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditChainStore, TransactItem } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { ClearanceChange, DirectoryAdministration, IdentityAdministration, IdentityRepository, PersonLookup } from '#shared/ports/identity.ts';
// The stored records' schemas, without the GB/T 2260 table (checked when written): issue 10, every HTTP function reads these.
import { organisationRecordSchema as organisationSchema, userSchema, type Organisation, type User } from '#shared/schemas/identity-records.ts';
import { documentClient, gsi1, keys, queryAll } from './dynamo.ts';

export function identityRepositoryFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoIdentityRepository {
  return new DynamoIdentityRepository(requireEnv(envNames.registryTable, env));
}

/**
 * Registry items for identity. The gsi1 keys are what listOrganisations and
 * listUsers query: children of a parent (ROOT for the national level) and the
 * users of an organisation, each without a scan.
 */
export function orgItem(org: Organisation): Record<string, unknown> {
  return { ...keys.org(org.code), gsi1pk: `ORGS#${org.parentCode ?? 'ROOT'}`, gsi1sk: `ORG#${org.code}`, ...org };
}

export function userItem(user: User): Record<string, unknown> {
  return { ...keys.user(user.userId), gsi1pk: `USERS#${user.orgCode}`, gsi1sk: `USER#${user.userId}`, ...user };
}

/** Conditional create: a seed or an import never overwrites an existing organisation or user. */
export function createItem(table: string, item: Record<string, unknown>): TransactItem {
  return { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The key that makes an email address (lower case) or an external subject belong to one person only. */
export const claimKeys = {
  email: (email: string) => ({ pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'META' }),
  subject: (subject: string) => ({ pk: `SUBJECT#${subject}`, sk: 'META' }),
};

const revCondition = (before: { rev?: number | undefined }) =>
  before.rev === undefined
    ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#rev)', ExpressionAttributeNames: { '#rev': 'rev' } }
    : { ConditionExpression: '#rev = :rev', ExpressionAttributeNames: { '#rev': 'rev' }, ExpressionAttributeValues: { ':rev': before.rev } };

const changedMeanwhile = (what: string) => () =>
  new ConflictError('CHANGED_MEANWHILE', `${what}已被他人修改，本次修改未执行；请刷新后重试`);

export class DynamoIdentityRepository implements IdentityRepository, IdentityAdministration, DirectoryAdministration, PersonLookup {
  constructor(
    private readonly table: string,
    /** The audit chain; LOGS_TABLE_NAME's when omitted. */
    private readonly auditStore?: AuditChainStore,
  ) {}

  async getUser(userId: string): Promise<User | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.user(userId) }));
    return out.Item ? userSchema.parse(out.Item) : undefined;
  }

  async getOrganisation(code: string): Promise<Organisation | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.org(code) }));
    return out.Item ? organisationSchema.parse(out.Item) : undefined;
  }

  async listOrganisations(parentCode?: string): Promise<Organisation[]> {
    return this.queryGsi(`ORGS#${parentCode ?? 'ROOT'}`, (i) => organisationSchema.parse(i));
  }

  async listUsers(orgCode: string): Promise<User[]> {
    return this.queryGsi(`USERS#${orgCode}`, (i) => userSchema.parse(i));
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    return this.claimed(claimKeys.email(email));
  }

  async findUserBySubject(subject: string): Promise<User | undefined> {
    return this.claimed(claimKeys.subject(subject));
  }

  private async claimed(key: { pk: string; sk: string }): Promise<User | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: key }));
    const userId = out.Item?.['userId'];
    return typeof userId === 'string' ? this.getUser(userId) : undefined;
  }

  async createOrganisation(org: Organisation, entry: AuditEntry): Promise<{ seq: number; organisation: Organisation }> {
    const organisation = { ...org, rev: 1 };
    const { seq } = await auditedWrite({
      items: [{ item: createItem(this.table, orgItem(organisation)), onConditionFailed: () => new ConflictError('ORG_EXISTS', `组织代码 ${org.code} 已存在`) }],
      entry,
      ...this.store(),
    });
    return { seq, organisation };
  }

  async replaceOrganisation(before: Organisation, after: Organisation, entry: AuditEntry): Promise<{ seq: number; organisation: Organisation }> {
    const organisation = { ...after, rev: (before.rev ?? 0) + 1 };
    const { seq } = await auditedWrite({
      items: [{ item: { Put: { TableName: this.table, Item: orgItem(organisation), ...revCondition(before) } }, onConditionFailed: changedMeanwhile(`组织 ${before.code} `) }],
      entry,
      ...this.store(),
    });
    return { seq, organisation };
  }

  async createUser(input: User, entry: AuditEntry): Promise<{ seq: number; user: User }> {
    const user = { ...input, rev: 1 };
    const { seq } = await auditedWrite({
      items: [
        { item: createItem(this.table, userItem(user)), onConditionFailed: () => new ConflictError('USER_EXISTS', `用户名 ${user.userId} 已存在`) },
        this.claim('email', user.email, user.userId),
        ...(user.subject ? [this.claim('subject', user.subject, user.userId)] : []),
      ],
      entry,
      ...this.store(),
    });
    return { seq, user };
  }

  async replaceUser(before: User, after: User, entry: AuditEntry): Promise<{ seq: number; user: User }> {
    const user = { ...after, rev: (before.rev ?? 0) + 1 };
    const moves: { item: TransactItem; onConditionFailed?: () => Error }[] = [];
    const lower = (e: string) => e.trim().toLowerCase();
    if (lower(before.email) !== lower(after.email)) {
      moves.push(this.release(claimKeys.email(before.email), before.userId), this.claim('email', after.email, after.userId));
    }
    if (before.subject !== after.subject) {
      if (before.subject) moves.push(this.release(claimKeys.subject(before.subject), before.userId));
      if (after.subject) moves.push(this.claim('subject', after.subject, after.userId));
    }
    const { seq } = await auditedWrite({
      items: [{ item: { Put: { TableName: this.table, Item: userItem(user), ...revCondition(before) } }, onConditionFailed: changedMeanwhile(`用户 ${before.userId} `) }, ...moves],
      entry,
      ...this.store(),
    });
    return { seq, user };
  }

  /** The email or subject becomes this person's; held by another → EMAIL_TAKEN / SUBJECT_TAKEN. */
  private claim(kind: 'email' | 'subject', value: string, userId: string): { item: TransactItem; onConditionFailed: () => Error } {
    const key = claimKeys[kind](value);
    return {
      // The same person claiming again (a claim left by an earlier write) is not a conflict.
      item: {
        Put: {
          TableName: this.table,
          Item: { ...key, userId, kind },
          ConditionExpression: 'attribute_not_exists(pk) OR userId = :me',
          ExpressionAttributeValues: { ':me': userId },
        },
      },
      onConditionFailed: () =>
        kind === 'email'
          ? new ConflictError('EMAIL_TAKEN', `邮箱 ${value} 已属于另一位登记人员：同一人不能在两个单位登记`)
          : new ConflictError('SUBJECT_TAKEN', `外部身份标识 ${value} 已属于另一位登记人员`),
    };
  }

  /** Gives up a claim this person holds (absent: nothing to release — seeded before claims existed). */
  private release(key: { pk: string; sk: string }, userId: string): { item: TransactItem; onConditionFailed: () => Error } {
    return {
      item: { Delete: { TableName: this.table, Key: key, ConditionExpression: 'attribute_not_exists(pk) OR userId = :me', ExpressionAttributeValues: { ':me': userId } } },
      onConditionFailed: changedMeanwhile(`用户 ${userId} 的邮箱或身份标识`),
    };
  }

  private store(): { store?: AuditChainStore } {
    return this.auditStore ? { store: this.auditStore } : {};
  }

  async updateClearance(change: ClearanceChange, entry: AuditEntry): Promise<{ seq: number }> {
    const { seq } = await auditedWrite({
      items: [
        {
          item: {
            Update: {
              TableName: this.table,
              Key: keys.user(change.userId),
              // rev moves too, so a person's other changes (conditional on rev) never overwrite a clearance change.
              UpdateExpression: 'SET #clearance = :to, #rev = if_not_exists(#rev, :zero) + :one',
              // Conditional on what the administrator saw: a concurrent change is refused, not overwritten.
              ConditionExpression: 'attribute_exists(pk) AND #clearance = :from',
              ExpressionAttributeNames: { '#clearance': 'clearance', '#rev': 'rev' },
              ExpressionAttributeValues: { ':to': change.to, ':from': change.from, ':zero': 0, ':one': 1 },
            },
          },
          onConditionFailed: () =>
            new ConflictError('CLEARANCE_CHANGED', `用户 ${change.userId} 的密级已被他人修改或用户已注销，本次调整未执行；请刷新后重试`),
        },
      ],
      entry,
      ...(this.auditStore ? { store: this.auditStore } : {}),
    });
    return { seq };
  }

  private queryGsi<T>(pk: string, parse: (item: Record<string, unknown>) => T): Promise<T[]> {
    return queryAll({ TableName: this.table, IndexName: gsi1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': pk } }, parse);
  }
}
