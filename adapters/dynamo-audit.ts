import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteItem } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { ChainHead } from '#shared/audit/chain.ts';
import type { ItemReader } from '#shared/audit/item-states.ts';
import type { AuditChainReader, AuditRecord } from '#shared/ports/audit.ts';
import { documentClient, keys } from './dynamo.ts';

/** One item of a DynamoDB TransactWriteItems call, in document-client form. */
export type TransactItem = TransactWriteItem;

/**
 * The two calls the chain needs from storage, behind a port so that the
 * writer's retry and conflict logic is unit-tested without DynamoDB.
 * Adapter: below. Fake: test/fakes/audit-store.ts.
 */
export interface AuditChainStore extends AuditChainReader {
  /** The logs table (LOGS_TABLE_NAME); the record and head items are written there. */
  readonly logsTable: string;
  /**
   * The chain an acting organisation's writes go to; default shardOf
   * (shared/audit/shards.ts: its province, else national). The audited-write
   * bench maps every organisation onto the national chain to measure the
   * single-head design in the same run.
   */
  readonly shardOf?: (orgCode: string) => string;
  /**
   * One TransactWriteItems call. On cancellation it throws an error named
   * `TransactionCanceledException` carrying `CancellationReasons`, one per
   * item in request order, exactly as DynamoDB does.
   */
  transactWrite(items: TransactItem[]): Promise<void>;
  /**
   * Strongly consistent GetItem of one domain item (any table), read by the
   * writer to compute the state an Update leaves (ItemState). Without it the
   * state of an updated item is recorded as `unknown`.
   */
  getItem?(table: string, key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined>;
}

export function auditChainStoreFromEnv(env: NodeJS.ProcessEnv = process.env): AuditChainStore {
  return new DynamoAuditChainStore(requireEnv(envNames.logsTable, env));
}

/** Strips the table keys so that what is verified is exactly what was hashed. */
function toRecord(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as AuditRecord;
}

/** The audit chains in the logs table: AUDIT[#<shard>]/HEAD and AUDIT[#<shard>]/SEQ#<12 digits>. */
export class DynamoAuditChainStore implements AuditChainStore {
  constructor(
    readonly logsTable: string,
    private readonly client: () => DynamoDBDocumentClient = documentClient,
  ) {}

  async readHead(shard?: string): Promise<ChainHead | undefined> {
    const out = await this.client().send(
      new GetCommand({ TableName: this.logsTable, Key: keys.auditHead(shard), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { seq: Number(out.Item['seq']), hash: String(out.Item['hash']) };
  }

  async getItem(table: string, key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const out = await this.client().send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  async transactWrite(items: TransactItem[]): Promise<void> {
    await this.client().send(new TransactWriteCommand({ TransactItems: items }));
  }

  async readRecords(afterSeq?: number, shard?: string): Promise<{ records: AuditRecord[]; lastSeq?: number }> {
    const out = await this.client().send(
      new QueryCommand({
        TableName: this.logsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: { ':pk': keys.auditPartition(shard), ':seq': 'SEQ#' },
        ConsistentRead: true,
        ...(afterSeq === undefined ? {} : { ExclusiveStartKey: keys.auditRecord(afterSeq, shard) }),
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

/** ItemReader (shared/audit/item-states.ts): BatchGetItem, at most 100 keys a call, unprocessed keys retried. */
export class DynamoItemReader implements ItemReader {
  constructor(private readonly client: () => DynamoDBDocumentClient = documentClient) {}

  async getItems(table: string, keyList: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < keyList.length; i += 100) {
      let pending: Record<string, unknown>[] = keyList.slice(i, i + 100).map(({ pk, sk }) => ({ pk, sk }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error(`BatchGetItem: ${pending.length} keys still unprocessed after retries`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 50 * 2 ** attempt)));
        const res = await this.client().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
        out.push(...((res.Responses?.[table] ?? []) as Record<string, unknown>[]));
        pending = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return out;
  }
}
