import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#shared/config.ts';
import type { AuditChainStore, TransactItem } from '#shared/audit/store.ts';
import type { ChainHead } from '#shared/audit/chain.ts';
import type { AuditRecord } from '#shared/ports/audit.ts';
import { documentClient, keys } from './dynamo.ts';

export function auditChainStoreFromEnv(env: NodeJS.ProcessEnv = process.env): AuditChainStore {
  return new DynamoAuditChainStore(requireEnv(envNames.logsTable, env));
}

/** Strips the table keys so that what is verified is exactly what was hashed. */
function toRecord(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as AuditRecord;
}

/** The audit chain in the logs table: AUDIT/HEAD and AUDIT/SEQ#<12 digits>. */
export class DynamoAuditChainStore implements AuditChainStore {
  constructor(
    readonly logsTable: string,
    private readonly client: () => DynamoDBDocumentClient = documentClient,
  ) {}

  async readHead(): Promise<ChainHead | undefined> {
    const out = await this.client().send(
      new GetCommand({ TableName: this.logsTable, Key: keys.auditHead(), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { seq: Number(out.Item['seq']), hash: String(out.Item['hash']) };
  }

  async transactWrite(items: TransactItem[]): Promise<void> {
    await this.client().send(new TransactWriteCommand({ TransactItems: items }));
  }

  async readRecords(afterSeq?: number): Promise<{ records: AuditRecord[]; lastSeq?: number }> {
    const out = await this.client().send(
      new QueryCommand({
        TableName: this.logsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: { ':pk': 'AUDIT', ':seq': 'SEQ#' },
        ConsistentRead: true,
        ...(afterSeq === undefined ? {} : { ExclusiveStartKey: keys.auditRecord(afterSeq) }),
      }),
    );
    const records = (out.Items ?? []).map(toRecord);
    const last = out.LastEvaluatedKey?.['sk'];
    return {
      records,
      ...(typeof last === 'string' ? { lastSeq: Number(last.slice('SEQ#'.length)) } : {}),
    };
  }
}
