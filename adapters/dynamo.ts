import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { nationalShard } from '#shared/audit/shards.ts';

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
 *   HTASK#<id>        META   human task (adapters/dynamo-tasks.ts); its sealed token while open
 *                           gsi1: HTASKS#open / DUE#<due>#<id>  (only while open: the reminder scan)
 *                           gsi2: HTASKSUBJ#<kind>#<subject> / HTASK#<createdAt>#<id>  (the tasks of one subject)
 *   TASK#<taskId>     META   survey task 调查监测任务  gsi1: ORGTASKS#<organiserOrg> / TASK#<createdAt>#<taskId>
 *                                                    gsi2: IMPLTASKS#<implementerOrg> / TASK#<createdAt>#<taskId>
 *   SUB#<id>          META   submission 汇交            gsi1: TASKSUBS#<taskId> / SUB#<createdAt>#<id>
 *   SUB#<id>          V#<nnnn>               package version n (zero-padded so versions sort; read by GetItem 1..currentVersion)
 *   SUB#<id>          V#<nnnn>#F#<path>      one manifest file of version n (Query begins_with V#<nnnn>#F#)
 *   SUB#<id>          EV#<iso time>#<nn><rand>  timeline event, written in the transaction of the change it records
 *                           — also the transfer's record (R8.1/R8.2, shared/transfer): numberAssigned, custodyCopied,
 *                           custodyReceived {receivedAt, catalogueReportDue (R9.1)}, transferNotRequired, forestryCopySent {due} …
 *                           custodyCopied also carries gsi1: CUSTODYCOPIES / <resultNumber>#v<nnnn> — every custody
 *                           copy with its manifest SHA-256 and root hash, the integrity audit's expected set (R10.1)
 *   INTEGRITY#<date>  RUN#<executionName>    one integrity audit run  gsi1: INTEGRITYRUNS / <checkedAt>#<executionName>
 *   NOTIFY#<email>    <sentAt>.<random>      one emailed message as its recipient sees it in the console (我的通知)
 *   CAT#<number>      META   catalogue entry 成果目录 (R9.2; adapters/dynamo-catalogue.ts); never deleted —
 *                           a destroyed entry keeps its number (status 'destroyed')
 *   CAT#<number>      V#<nnnn>               snapshot of entry version n (R9.2: edits are versioned)
 *   CATSUB#<submissionId> META  the submission's entry number: registration is idempotent per submission
 *   NUMSEQ#<custodianOrg>#<year> META  last unified number used (R9.1), moved in the entry's own transaction
 *   CATIDX#<partition> <timeFrom>#<number>   search index item → entry, with the filterable fields projected
 *                           (rc region, th theme, cl classification, sm sharing mode, cu custodian, tf/tt period,
 *                           st status, bb bbox). Partitions: ALL · REG#<44|4401|440117|CN> (every level of the
 *                           entry's region, so a province Query finds its cities and counties) · RT#<region key>#<theme>
 *                           · TH#<theme> · CU#<custodian> · KW#<bigram or word>. One sort key per entry in every
 *                           partition, so keyword terms intersect by point reads; queries run newest time first.
 *   CATBYCUST#<custodianOrg> <registeredAt>#<number>  the custodian's entries by registration time (n, cl), so a
 *                           catalogue report collects "since the last report" as one key range (R9.1)
 *   CATREPORT#<reportId> META  a catalogue report upward (sent → acknowledged | returned; dynamo-catalogue-report.ts)
 *   CATREPORTS#<custodianOrg> | CATREPORTSTO#<recipientOrg>  <sentAt>#<reportId>  copies of the report for the
 *                           custodian's list and the upper level's list, written in the report's transactions
 *   CATREPORTLAST#<custodianOrg> META  lastKey: the CATBYCUST# sort key the next report starts after
 *   DESTRUCTION#<number> META  the latest destruction round of a result (pending → destroyed | refused;
 *                           adapters/dynamo-destruction.ts); a refused round is replaced by the next request
 *   AUTHORITY         CURRENT | V#<6 digits>  the publication authority table in force and every version of it
 *                           (adapters/dynamo-authority.ts); version 0 is the built-in seed, never stored
 *   RELEASE#<number>  R#<3 digits>  a release version of a result (its package submission, desensitisation record;
 *                           adapters/dynamo-release.ts), written with the release's catalogue entry CAT#<number>-R<k>
 *   PUBREQ#<requestId> META  a publication request (review → approval → held → approved | returned | refused;
 *                           every round and its timeline; adapters/dynamo-publication.ts), PUBREL#<number> META the
 *                           request of a release version, PUBPROG#<programme> <requestId> the requests of a programme,
 *                           PUBREQIDX#<prepared|review|approval>#<org> <requestedAt>#<requestId> {status} the console's lists
 *   PING#<id>         META   ping fixture run (platform; proves the workflow chain)
 *   INTEGRITY#<date>  RUN#<executionName>  one custody integrity audit run (R10.1; report keys, counts, passed)
 *   SCHEDULE#<name>   LAST_RUN  when a scheduled job last ran (platform)
 * Logs table:
 *   AUDIT             HEAD               the chain head (seq, hash)
 *   AUDIT             SEQ#<12 digits>    one audit record
 *   SECREC#<org|anonymous> <iso time>#<requestId>  one security record (R20.1; dynamo-security-records.ts), per
 *                           organisation concerned: the caller's and those of the records read or refused
 */
function auditPartition(shard?: string): string {
  return shard === undefined || shard === nationalShard ? 'AUDIT' : `AUDIT#${shard}`;
}

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
  catalogueEntry: (resultNumber: string) => ({ pk: `CAT#${resultNumber}`, sk: 'META' }),
  catalogueVersion: (resultNumber: string, n: number) => ({ pk: `CAT#${resultNumber}`, sk: `V#${String(n).padStart(4, '0')}` }),
  catalogueOfSubmission: (submissionId: string) => ({ pk: `CATSUB#${submissionId}`, sk: 'META' }),
  numberSequence: (custodianOrg: string, year: number) => ({ pk: `NUMSEQ#${custodianOrg}#${year}`, sk: 'META' }),
  catalogueIndex: (partition: string, timeFrom: string, resultNumber: string) => ({ pk: `CATIDX#${partition}`, sk: `${timeFrom}#${resultNumber}` }),
  destruction: (resultNumber: string) => ({ pk: `DESTRUCTION#${resultNumber}`, sk: 'META' }),
  /** The publication authority table (R12.1, R12.3): AUTHORITY / CURRENT and one item per version. */
  authorityCurrent: () => ({ pk: 'AUTHORITY', sk: 'CURRENT' }),
  authorityVersion: (n: number) => ({ pk: 'AUTHORITY', sk: `V#${String(n).padStart(6, '0')}` }),
  /** Release versions of a source result (R11.1): RELEASE#<source> / R#<k>. */
  release: (sourceNumber: string, k: number) => ({ pk: `RELEASE#${sourceNumber}`, sk: `R#${String(k).padStart(3, '0')}` }),
  /** Publication requests (R11.1, R12.1–R12.3): the request, the request of each release version, a programme's requests. */
  publication: (requestId: string) => ({ pk: `PUBREQ#${requestId}`, sk: 'META' }),
  publicationOfRelease: (releaseNumber: string) => ({ pk: `PUBREL#${releaseNumber}`, sk: 'META' }),
  publicationProgramme: (programme: string, requestId: string) => ({ pk: `PUBPROG#${programme}`, sk: requestId }),
  /** The console's request lists (issue 13): an organisation's requests on one side, newest first. */
  publicationIndex: (side: string, org: string, sortKey: string) => ({ pk: `PUBREQIDX#${side}#${org}`, sk: sortKey }),
  /** R9.1 catalogue reports: entries of a custodian by registration time, so "since the last report" is one key range. */
  catalogueByCustodian: (custodianOrg: string, registeredAt: string, resultNumber: string) => ({ pk: `CATBYCUST#${custodianOrg}`, sk: `${registeredAt}#${resultNumber}` }),
  catalogueReport: (reportId: string) => ({ pk: `CATREPORT#${reportId}`, sk: 'META' }),
  catalogueReportOfCustodian: (custodianOrg: string, sentAt: string, reportId: string) => ({ pk: `CATREPORTS#${custodianOrg}`, sk: `${sentAt}#${reportId}` }),
  catalogueReportToRecipient: (recipientOrg: string, sentAt: string, reportId: string) => ({ pk: `CATREPORTSTO#${recipientOrg}`, sk: `${sentAt}#${reportId}` }),
  catalogueReportLast: (custodianOrg: string) => ({ pk: `CATREPORTLAST#${custodianOrg}`, sk: 'META' }),
  ping: (id: string) => ({ pk: `PING#${id}`, sk: 'META' }),
  integrityRun: (date: string, executionName: string) => ({ pk: `INTEGRITY#${date}`, sk: `RUN#${executionName}` }),
  /** 我的通知: one emailed message for one recipient (adapters/dynamo-notifications.ts). */
  notification: (recipient: string, notificationId: string) => ({ pk: `NOTIFY#${recipient}`, sk: notificationId }),
  scheduleRun: (name: string) => ({ pk: `SCHEDULE#${name}`, sk: 'LAST_RUN' }),
  /** The audit chain of one shard (shared/audit/shards.ts): national `AUDIT`, a province `AUDIT#44`. */
  auditPartition,
  auditHead: (shard?: string) => ({ pk: auditPartition(shard), sk: 'HEAD' }),
  auditRecord: (seq: number, shard?: string) => ({ pk: auditPartition(shard), sk: `SEQ#${String(seq).padStart(12, '0')}` }),
} as const;

/** The index keys of an integrity audit run: every run, newest first, one key query (GET /custody/integrity-audits). */
export const integrityRunsPartition = 'INTEGRITYRUNS';
export function integrityRunIndex(checkedAt: string, executionName: string): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: integrityRunsPartition, gsi1sk: `${checkedAt}#${executionName}` };
}

/** The index keys of a custodyCopied event: the integrity audit's expected set, one key query (R10.1). */
export const custodyCopiesPartition = 'CUSTODYCOPIES';
export function custodyCopyIndex(resultNumber: string, n: number): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: custodyCopiesPartition, gsi1sk: `${resultNumber}#v${String(n).padStart(4, '0')}` };
}

export const gsi1 = 'gsi1';
export const gsi2 = 'gsi2';

/** Every item of a Query, page after page, each parsed (a key query, never a scan). */
export async function queryAll<T>(
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
  /** `client`: another reader (unit tests); `limit`: stop paging once this many items are read, and return no more. */
  opts: { readonly client?: Pick<DynamoDBDocumentClient, 'send'>; readonly limit?: number } = {},
): Promise<T[]> {
  const client = opts.client ?? documentClient();
  const limit = opts.limit ?? Infinity;
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) items.push(parse(item));
    start = out.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items.slice(0, limit);
}

/**
 * A list of pointer items (pk = a list's key, sk ordered by time), newest first, a page at a time (`before`: the
 * last sort key of the previous page), each resolved to its record by `load` — the loads run together, the order kept.
 * The sharing applications' and the derived products' lists (issue 13) read this way.
 */
export async function newestFirst<T>(table: string, pk: string, limit: number, before: string | undefined, load: (pointer: Record<string, unknown>) => Promise<T | undefined>): Promise<T[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
      ExpressionAttributeValues: before === undefined ? { ':pk': pk } : { ':pk': pk, ':before': before },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  const loaded = await Promise.all((out.Items ?? []).map(load));
  return loaded.filter((x): x is Awaited<T> => x !== undefined) as T[];
}
