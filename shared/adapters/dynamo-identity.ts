import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#shared/config.ts';
import type { IdentityRepository } from '#shared/ports/identity.ts';
import { organisationSchema, userSchema, type Organisation, type User } from '#shared/schemas/identity.ts';
import { documentClient, gsi1, keys } from './dynamo.ts';

export function identityRepositoryFromEnv(env: NodeJS.ProcessEnv = process.env): IdentityRepository {
  return new DynamoIdentityRepository(requireEnv(envNames.registryTable, env));
}

export class DynamoIdentityRepository implements IdentityRepository {
  constructor(private readonly table: string) {}

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

  private async queryGsi<T>(pk: string, parse: (item: Record<string, unknown>) => T): Promise<T[]> {
    const items: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await documentClient().send(
        new QueryCommand({
          TableName: this.table,
          IndexName: gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) items.push(parse(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
