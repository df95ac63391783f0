import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import type { IntegrityRun } from '#shared/custody/integrity.ts';
import type { IntegrityRunReader } from '#shared/custody/integrity-reports.ts';
import { documentClient, gsi1, integrityRunsPartition, keys, queryAll } from './dynamo.ts';

/** The integrity audit's run records (INTEGRITY#<date> / RUN#<executionName>), read: newest first on gsi1, or one by key. */
export class DynamoIntegrityRunReader implements IntegrityRunReader {
  constructor(private readonly table: string) {}

  listRuns(limit: number): Promise<IntegrityRun[]> {
    return queryAll(
      { TableName: this.table, IndexName: gsi1, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': integrityRunsPartition }, ScanIndexForward: false, Limit: limit },
      runOf,
      { limit },
    );
  }

  async getRun(date: string, executionName: string): Promise<IntegrityRun | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.integrityRun(date, executionName) }));
    return out.Item ? runOf(out.Item) : undefined;
  }
}

function runOf(item: Record<string, unknown>): IntegrityRun {
  return {
    date: String(item['date']),
    executionName: String(item['executionName']),
    checkedAt: String(item['checkedAt']),
    passed: item['passed'] === true,
    objects: Number(item['objects'] ?? 0),
    problems: Number(item['problems'] ?? 0),
    reportKey: String(item['reportKey']),
    htmlKey: String(item['htmlKey']),
  };
}

export function integrityRunReaderFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoIntegrityRunReader {
  return new DynamoIntegrityRunReader(requireEnv(tableEnv.registry, env));
}
