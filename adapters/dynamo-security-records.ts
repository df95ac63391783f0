import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { SecurityRecord, SecurityRecordStore } from '#shared/security/records.ts';
import { documentClient } from './dynamo.ts';

/**
 * Logs table: SECREC#<org> / <iso time>#<requestId> — one security record
 * (shared/security/records.ts) per organisation concerned; Put only if absent.
 * A supervisor's query is one Query per organisation with the sort key
 * between two times (newest first).
 */
export const securityRecordKey = (org: string, time: string, requestId: string) => ({ pk: `SECREC#${org}`, sk: `${time}#${requestId}` });

export function securityRecordStoreFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityRecordStore {
  return new DynamoSecurityRecordStore(requireEnv(envNames.logsTable, env));
}

export class DynamoSecurityRecordStore implements SecurityRecordStore {
  constructor(
    readonly logsTable: string,
    private readonly client: () => DynamoDBDocumentClient = documentClient,
  ) {}

  async put(orgs: readonly string[], record: SecurityRecord): Promise<void> {
    await Promise.all(
      orgs.map(async (org) => {
        try {
          await this.client().send(
            new PutCommand({
              TableName: this.logsTable,
              Item: { ...securityRecordKey(org, record.time, record.requestId), ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        } catch (error) {
          // The same request recorded twice (a retried invocation): the first record stands.
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        }
      }),
    );
  }

  async list(org: string, range: { from: string; before: string }, limit: number): Promise<SecurityRecord[]> {
    const out = await this.client().send(
      new QueryCommand({
        TableName: this.logsTable,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :before',
        ExpressionAttributeValues: { ':pk': `SECREC#${org}`, ':from': range.from, ':before': range.before },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    return (out.Items ?? [])
      .map(({ pk: _pk, sk: _sk, ...r }) => r as unknown as SecurityRecord)
      .filter((r) => r.time < range.before)
      .slice(0, limit);
  }
}
