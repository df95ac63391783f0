import type { TransactWriteItem } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '#shared/ports/audit.ts';
import type { ChainHead } from './chain.ts';

/** One item of a DynamoDB TransactWriteItems call, in document-client form. */
export type TransactItem = TransactWriteItem;

/**
 * The two calls the chain needs from storage, behind a port so that the
 * writer's retry and conflict logic is unit-tested without DynamoDB.
 * Adapter: adapters/dynamo-audit.ts. Fake: test/fakes/audit-store.ts.
 */
export interface AuditChainStore {
  /** The logs table (LOGS_TABLE_NAME); the record and head items are written there. */
  readonly logsTable: string;
  /** Strongly consistent read of AUDIT/HEAD; undefined before the first record. */
  readHead(): Promise<ChainHead | undefined>;
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
  /** Records in seq order, one page at a time (Query pk=AUDIT, sk begins_with SEQ#). */
  readRecords(afterSeq?: number): Promise<{ records: AuditRecord[]; lastSeq?: number }>;
}
