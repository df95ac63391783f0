import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { SharingGrant } from '#shared/sharing/model.ts';
import type { SubscriptionStore } from '#shared/sharing/push.ts';
import { sharingKeys } from './dynamo-sharing-read.ts';
import { documentClient } from './dynamo.ts';

/**
 * Active push on the registry table:
 *   SHARESUB#<resultNumber>  <grantId>                     a grant subscribed to the result's new versions
 *   SHAREPUSH#<grantId>      <resultNumber>#v<version>     one push made (created once: attribute_not_exists)
 */
export const pushKeys = {
  subscription: (resultNumber: string, grantId: string) => ({ pk: `SHARESUB#${resultNumber}`, sk: grantId }),
  push: (grantId: string, resultNumber: string, version: number) => ({ pk: `SHAREPUSH#${grantId}`, sk: `${resultNumber}#v${version}` }),
};

class PushedAlready extends Error {}

export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(private readonly table: string) {}

  async subscribe(grant: SharingGrant, previousVersion: number, audit: AuditEntry): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...sharingKeys.grant(grant.grantId), ...grant },
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': previousVersion },
            },
          },
          onConditionFailed: () => new ConflictError('GRANT_CHANGED', `共享授权 ${grant.grantId} 刚被另一操作更新，本次操作未执行；请刷新后重试`),
        },
        ...grant.resultNumbers.map((n) => ({ item: { Put: { TableName: this.table, Item: { ...pushKeys.subscription(n, grant.grantId), grantId: grant.grantId } } } })),
      ],
      entry: audit,
    });
  }

  async subscribers(resultNumber: string): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await documentClient().send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `SHARESUB#${resultNumber}` }, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const i of out.Items ?? []) ids.push(String(i['grantId']));
      start = out.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async recordPush(push: { grantId: string; resultNumber: string; version: number; at: string }, audit: AuditEntry): Promise<boolean> {
    try {
      await auditedWrite({
        items: [
          {
            item: { Put: { TableName: this.table, Item: { ...pushKeys.push(push.grantId, push.resultNumber, push.version), ...push }, ConditionExpression: 'attribute_not_exists(pk)' } },
            onConditionFailed: () => new PushedAlready(),
          },
        ],
        entry: audit,
      });
      return true;
    } catch (error) {
      if (error instanceof PushedAlready) return false;
      throw error;
    }
  }

  /** For tests and tools: whether a push was recorded. */
  async pushed(grantId: string, resultNumber: string, version: number): Promise<boolean> {
    return (await documentClient().send(new GetCommand({ TableName: this.table, Key: pushKeys.push(grantId, resultNumber, version), ConsistentRead: true }))).Item !== undefined;
  }
}

export function subscriptionStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSubscriptionStore {
  return new DynamoSubscriptionStore(requireEnv(tableEnv.registry, env));
}
