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
 * Key design of the registry table (single-table, pk/sk + gsi1 + gsi2):
 *   ORG#<code>        META   organisation   gsi1: ORGS#<parentCode|ROOT> / ORG#<code>
 *   USER#<userId>     META   user           gsi1: USERS#<orgCode> / USER#<userId>
 *   CALENDAR#<year>   META   holiday table for one year (State Council notice)  gsi1: CALENDARS / CALENDAR#<year>
 *   HTASK#<id>        META   human task (shared/adapters/dynamo-tasks.ts); its sealed token while open
 *                           gsi1: HTASKS#open / DUE#<due>#<id>  (only while open: the reminder scan)
 *                           gsi2: HTASKSUBJ#<kind>#<subject> / HTASK#<createdAt>#<id>  (the tasks of one subject)
 *   TASK#<taskId>     META   survey task 调查监测任务  gsi1: ORGTASKS#<organiserOrg> / TASK#<createdAt>#<taskId>
 *                                                    gsi2: IMPLTASKS#<implementerOrg> / TASK#<createdAt>#<taskId>
 *   SUB#<id>          META   submission 汇交            gsi1: TASKSUBS#<taskId> / SUB#<createdAt>#<id>
 *   SUB#<id>          V#<nnnn>               package version n (zero-padded so versions sort; read by GetItem 1..currentVersion)
 *   SUB#<id>          V#<nnnn>#F#<path>      one manifest file of version n (Query begins_with V#<nnnn>#F#)
 *   SUB#<id>          EV#<iso time>#<nn><rand>  timeline event, written in the transaction of the change it records
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
  surveyTask: (taskId: string) => ({ pk: `TASK#${taskId}`, sk: 'META' }),
  submission: (submissionId: string) => ({ pk: `SUB#${submissionId}`, sk: 'META' }),
  submissionVersion: (submissionId: string, n: number) => ({ pk: `SUB#${submissionId}`, sk: `V#${String(n).padStart(4, '0')}` }),
  versionFile: (submissionId: string, n: number, path: string) => ({ pk: `SUB#${submissionId}`, sk: `V#${String(n).padStart(4, '0')}#F#${path}` }),
  submissionEvent: (submissionId: string, at: string, suffix: string) => ({ pk: `SUB#${submissionId}`, sk: `EV#${at}#${suffix}` }),
  ping: (id: string) => ({ pk: `PING#${id}`, sk: 'META' }),
  scheduleRun: (name: string) => ({ pk: `SCHEDULE#${name}`, sk: 'LAST_RUN' }),
  auditHead: () => ({ pk: 'AUDIT', sk: 'HEAD' }),
  auditRecord: (seq: number) => ({ pk: 'AUDIT', sk: `SEQ#${String(seq).padStart(12, '0')}` }),
} as const;

export const gsi1 = 'gsi1';
export const gsi2 = 'gsi2';
