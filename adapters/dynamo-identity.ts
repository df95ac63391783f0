import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditChainStore, TransactItem } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { ClearanceChange, IdentityAdministration, IdentityRepository } from '#shared/ports/identity.ts';
import { organisationSchema, userSchema, type Organisation, type User } from '#shared/schemas/identity.ts';
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

export class DynamoIdentityRepository implements IdentityRepository, IdentityAdministration {
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

  async updateClearance(change: ClearanceChange, entry: AuditEntry): Promise<{ seq: number }> {
    const { seq } = await auditedWrite({
      items: [
        {
          item: {
            Update: {
              TableName: this.table,
              Key: keys.user(change.userId),
              UpdateExpression: 'SET #clearance = :to',
              // Conditional on what the administrator saw: a concurrent change is refused, not overwritten.
              ConditionExpression: 'attribute_exists(pk) AND #clearance = :from',
              ExpressionAttributeNames: { '#clearance': 'clearance' },
              ExpressionAttributeValues: { ':to': change.to, ':from': change.from },
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
