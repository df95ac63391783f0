import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import { DestructionPendingError, type DestructionRecord, type DestructionStore } from '#shared/destruction/destruction.ts';
import { documentClient, keys } from './dynamo.ts';

/** DESTRUCTION#<number> / META: the latest round; every change with its audit record in one transaction. */
export class DynamoDestructionStore implements DestructionStore {
  constructor(private readonly table: string) {}

  async get(resultNumber: string): Promise<DestructionRecord | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.destruction(resultNumber), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = out.Item;
    return record as DestructionRecord;
  }

  async open(record: DestructionRecord, audit: AuditEntry): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...keys.destruction(record.resultNumber), ...record },
              ConditionExpression: 'attribute_not_exists(pk) OR #s <> :pending',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending' },
            },
          },
          onConditionFailed: () => new DestructionPendingError(record.resultNumber),
        },
      ],
      entry: audit,
    });
  }

  async close(record: DestructionRecord, audit: AuditEntry): Promise<void> {
    await auditedWrite({
      items: [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: { ...keys.destruction(record.resultNumber), ...record },
              ConditionExpression: '#id = :id AND #s = :pending',
              ExpressionAttributeNames: { '#id': 'destructionId', '#s': 'status' },
              ExpressionAttributeValues: { ':id': record.destructionId, ':pending': 'pending' },
            },
          },
          onConditionFailed: () => new ConflictError('DESTRUCTION_CLOSED', `成果 ${record.resultNumber} 的销毁申请 ${record.destructionId} 已关闭`),
        },
      ],
      entry: audit,
    });
  }
}

export function destructionStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoDestructionStore {
  return new DynamoDestructionStore(requireEnv(tableEnv.registry, env));
}
