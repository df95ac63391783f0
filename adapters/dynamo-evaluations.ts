import type { RegistryAccess } from '#adapters/dynamo-submission.ts';
import { ConflictError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { TransactItem } from './dynamo-audit.ts';
import type { EvaluationDecision, EvaluationRecord, EvaluationStore } from '#shared/supervision/evaluation.ts';

/**
 * The custodians' quarterly use-and-quality evaluations (R19.2) on the registry table:
 *   EVALUATION#<custodian>.<organiser>.<quarter>  META   the record written with the document (key, SHA-256,
 *       figures; write-once), then `execution` (the acknowledgement started, once) and `decision` (已阅 / 有异议, once)
 * Every write is conditional and carries its audit record in the same transaction.
 */
export const evaluationRecordKey = (evaluationId: string) => ({ pk: `EVALUATION#${evaluationId}`, sk: 'META' });

class Refused extends ConflictError {}

/** One record by id, without the writes (what the human-task kinds read: their bundles stay small). */
export class DynamoEvaluationReader implements Pick<EvaluationStore, 'get'> {
  constructor(protected readonly db: Pick<RegistryAccess, 'get'>) {}

  async get(evaluationId: string): Promise<EvaluationRecord | undefined> {
    const item = await this.db.get(evaluationRecordKey(evaluationId));
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = item;
    return rest as unknown as EvaluationRecord;
  }
}

export class DynamoEvaluationStore extends DynamoEvaluationReader implements EvaluationStore {
  constructor(protected override readonly db: Pick<RegistryAccess, 'table' | 'get' | 'write'>) {
    super(db);
  }

  async create(record: EvaluationRecord, audit: AuditEntry): Promise<boolean> {
    return this.once(
      { Put: { TableName: this.db.table, Item: { ...evaluationRecordKey(record.evaluationId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
      audit,
      'EVALUATION_EXISTS',
    );
  }

  async markStarted(evaluationId: string, execution: string, at: string, audit: AuditEntry): Promise<boolean> {
    return this.once(
      {
        Update: {
          TableName: this.db.table,
          Key: evaluationRecordKey(evaluationId),
          UpdateExpression: 'SET #execution = :execution, startedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#execution) AND attribute_not_exists(#decision)',
          ExpressionAttributeNames: { '#execution': 'execution', '#decision': 'decision' },
          ExpressionAttributeValues: { ':execution': execution, ':at': at },
        },
      },
      audit,
      'EVALUATION_STARTED',
    );
  }

  async decide(evaluationId: string, decision: EvaluationDecision, audit: AuditEntry): Promise<boolean> {
    return this.once(
      {
        Update: {
          TableName: this.db.table,
          Key: evaluationRecordKey(evaluationId),
          UpdateExpression: 'SET #decision = :decision',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#decision)',
          ExpressionAttributeNames: { '#decision': 'decision' },
          ExpressionAttributeValues: { ':decision': decision },
        },
      },
      audit,
      'EVALUATION_DECIDED',
    );
  }

  /** One conditional item with its audit record; false (nothing written) when the condition fails. */
  private async once(item: TransactItem, audit: AuditEntry, code: string): Promise<boolean> {
    try {
      await this.db.write([{ item, onConditionFailed: () => new Refused(code, '利用与质量评价记录已存在或已更新，本次未作改动') }], audit);
      return true;
    } catch (error) {
      if (error instanceof Refused) return false;
      throw error;
    }
  }
}
