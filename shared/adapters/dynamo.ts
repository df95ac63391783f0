import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One document client per process. The endpoint comes from the SDK's
 * standard AWS_ENDPOINT_URL_DYNAMODB when set (the local cloud), else AWS.
 */
let client: DynamoDBDocumentClient | undefined;
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}

/**
 * Key design of the registry table (single-table, pk/sk + gsi1):
 *   ORG#<code>        META   organisation   gsi1: ORGS#<parentCode|ROOT> / ORG#<code>
 *   USER#<userId>     META   user           gsi1: USERS#<orgCode> / USER#<userId>
 *   CALENDAR#<year>   META   holiday table for one year (State Council notice)  gsi1: CALENDARS / CALENDAR#<year>
 *   HTASK#<id>        META   human task
 *   PING#<id>         META   ping fixture run (platform; proves the workflow chain)
 *   SCHEDULE#<name>   LAST_RUN  when a scheduled job last ran (platform)
 * Logs table:
 *   AUDIT             HEAD               the chain head (seq, hash)
 *   AUDIT             SEQ#<12 digits>    one audit record
 */
export const keys = {
  org: (code: string) => ({ pk: `ORG#${code}`, sk: 'META' }),
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'META' }),
  calendar: (year: number) => ({ pk: `CALENDAR#${year}`, sk: 'META' }),
  humanTask: (id: string) => ({ pk: `HTASK#${id}`, sk: 'META' }),
  ping: (id: string) => ({ pk: `PING#${id}`, sk: 'META' }),
  scheduleRun: (name: string) => ({ pk: `SCHEDULE#${name}`, sk: 'LAST_RUN' }),
  auditHead: () => ({ pk: 'AUDIT', sk: 'HEAD' }),
  auditRecord: (seq: number) => ({ pk: 'AUDIT', sk: `SEQ#${String(seq).padStart(12, '0')}` }),
} as const;

export const gsi1 = 'gsi1';
