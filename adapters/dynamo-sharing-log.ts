import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import type { GrantCallLine, SharingLog } from '#shared/sharing/grant-log.ts';
import { sharingKeys } from './dynamo-sharing-read.ts';
import { documentClient } from './dynamo.ts';

/**
 * The sharing log's lines for the calls on a grant other than downloads (logs table, SHARELOG#<grantId>,
 * sk <at>#<requestId>#<call>). The request id is unique per API request, so only a retry of the same request
 * writes the same key again, with the same line: the put is unconditional (a retry must not fail the call).
 */
export class DynamoSharingLog implements SharingLog {
  constructor(private readonly logsTable: string) {}

  async append(line: GrantCallLine): Promise<void> {
    const key = sharingKeys.log(line.grantId, line.at, line.requestId);
    await documentClient().send(new PutCommand({ TableName: this.logsTable, Item: { ...key, sk: `${key.sk}#${line.call}`, ...line } }));
  }
}

export function sharingLogFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSharingLog {
  return new DynamoSharingLog(requireEnv(tableEnv.logs, env));
}
