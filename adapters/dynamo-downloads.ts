import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { DownloadLog, DownloadLogEntry } from '#shared/publication/publish.ts';
import { counterUpdates } from './dynamo-supervision.ts';
import { documentClient } from './dynamo.ts';

/**
 * The public download log (R17.2), registry table:
 *   DOWNLOADS#<releaseNumber>#<day>   <iso time>#<requestId>   one request: file, result, anonymised client, user agent
 * and, in the same transaction, the supervision counters the bulletin reads (SUPCOUNT#<org> / <month>, ADD):
 *   `R17.2.downloads` (served) or `R17.2.refused`, and per result × day `R17.2.<result>.<day>.<releaseNumber>`.
 * Not audited: a download request changes no state (anonymous traffic must not contend for the audit chain's
 * head); the log items are its record. A request for an unknown release is logged without a counter.
 */
export const downloadKeys = {
  log: (releaseNumber: string, day: string, at: string, requestId: string) => ({ pk: `DOWNLOADS#${releaseNumber}#${day}`, sk: `${at}#${requestId}` }),
};

export function downloadCounterMetrics(e: Pick<DownloadLogEntry, 'result' | 'day' | 'releaseNumber'>): string[] {
  return [e.result === 'redirected' ? 'R17.2.downloads' : 'R17.2.refused', `R17.2.${e.result}.${e.day}.${e.releaseNumber}`];
}

export class DynamoDownloadLog implements DownloadLog {
  constructor(
    private readonly table: string,
    private readonly client: Pick<DynamoDBDocumentClient, 'send'> = documentClient(),
  ) {}

  async record(e: DownloadLogEntry): Promise<void> {
    const month = e.day.slice(0, 7);
    const counters = e.org ? counterUpdates(this.table, downloadCounterMetrics(e).map((metric) => ({ org: e.org!, month, metric, delta: 1 }))) : [];
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: { ...downloadKeys.log(e.releaseNumber, e.day, e.at, e.requestId), ...e } } },
          ...(counters as NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>),
        ],
      }),
    );
  }
}

export function downloadLogFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoDownloadLog {
  return new DynamoDownloadLog(requireEnv(envNames.registryTable, env));
}
