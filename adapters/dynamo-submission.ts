import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import type { AuditChainStore, TransactItem } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import { ConflictError, ValidationError } from '#shared/errors.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { Page, ReturnRecord, SubmissionOutcomeStore, SubmissionStore } from '#shared/ports/submission.ts';
import {
  submissionSchema,
  surveyTaskSchema,
  timelineEventSchema,
  versionFileSchema,
  versionSchema,
  type ReviewArrangement,
  type Submission,
  type SurveyTask,
  type TimelineEvent,
  type Version,
  type VersionFile,
} from '#shared/schemas/submission.ts';
import { MultipartRaceError, VersionSealedError, VersionStateChangedError } from '#shared/submission/errors.ts';
import { custodyCopyIndex, documentClient, gsi1, gsi2, keys } from './dynamo.ts';
import { withSupervisionItems } from './dynamo-supervision.ts';
import { problemCondition, problemCopies, problemItem } from './dynamo-feedback.ts';
import type { ProblemState, QualityProblem } from '#shared/feedback/problems.ts';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/**
 * The four table operations the submission store needs, behind one small
 * interface so that unit tests run this adapter — its keys, conditions and
 * transactions — against the in-memory tables (test/unit/submission-fakes.ts).
 */
export interface RegistryAccess {
  readonly table: string;
  get(key: Key): Promise<Item | undefined>;
  query(q: {
    index?: 'gsi1' | 'gsi2';
    pk: string;
    skPrefix?: string;
    /** Sort key at most this (a range condition; not with skPrefix). */
    skAtMost?: string;
    /** Newest first when false. */
    forward?: boolean;
    limit?: number;
    startKey?: Item;
  }): Promise<{ items: Item[]; lastKey?: Item }>;
  /** Unconditional puts, batched; for items no reader trusts until a transaction names them. */
  batchPut(items: Item[]): Promise<void>;
  /** auditedWrite: the items and the audit record in one transaction. */
  write(items: AuditedItem[], entry: AuditEntry): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DynamoRegistryAccess implements RegistryAccess {
  constructor(
    readonly table: string,
    private readonly client: DynamoDBDocumentClient = documentClient(),
    private readonly auditStore?: AuditChainStore,
  ) {}

  async get(key: Key): Promise<Item | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return out.Item;
  }

  async query(q: Parameters<RegistryAccess['query']>[0]): Promise<{ items: Item[]; lastKey?: Item }> {
    const pkName = q.index ? `${q.index}pk` : 'pk';
    const skName = q.index ? `${q.index}sk` : 'sk';
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        ...(q.index ? { IndexName: q.index === 'gsi1' ? gsi1 : gsi2 } : { ConsistentRead: true }),
        KeyConditionExpression: q.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : q.skAtMost ? '#pk = :pk AND #sk <= :sk' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkName, ...(q.skPrefix || q.skAtMost ? { '#sk': skName } : {}) },
        ExpressionAttributeValues: { ':pk': q.pk, ...(q.skPrefix ? { ':sk': q.skPrefix } : q.skAtMost ? { ':sk': q.skAtMost } : {}) },
        ScanIndexForward: q.forward ?? true,
        ...(q.limit ? { Limit: q.limit } : {}),
        ...(q.startKey ? { ExclusiveStartKey: q.startKey } : {}),
      }),
    );
    return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
  }

  async batchPut(items: Item[]): Promise<void> {
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > 8) throw new Error(`BatchWriteItem: ${pending.length} items still unprocessed after retries`);
          if (attempt > 0) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
          const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
          pending = (out.UnprocessedItems?.[this.table] ?? []) as typeof pending;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, batches.length) }, worker));
  }

  async write(items: AuditedItem[], entry: AuditEntry): Promise<void> {
    await auditedWrite({ items, entry, ...(this.auditStore ? { store: this.auditStore } : {}) });
  }
}

export function submissionStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSubmissionStore {
  return new DynamoSubmissionStore(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env)));
}

/** The reads and verification outcomes only (the human-task kinds: runtime/ports/human-task-kinds.ts). */
export function submissionOutcomesFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoSubmissionOutcomes {
  return new DynamoSubmissionOutcomes(new DynamoRegistryAccess(requireEnv(envNames.registryTable, env)));
}

function strip(item: Item): Item {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  return rest;
}

function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor is only ever a key of the same query: anything else is refused, not passed to DynamoDB. */
function decodeCursor(cursor: string, index: 'gsi1' | 'gsi2', pk: string): Item {
  const bad = () => new ValidationError('请求参数有误：query.cursor 分页游标无效或已失效，请从第一页重新查询', [{ field: 'query.cursor', code: 'INVALID_CURSOR', message: '分页游标无效' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const key = parsed as Item;
  const names = ['pk', 'sk', `${index}pk`, `${index}sk`];
  if (Object.keys(key).length !== names.length || !names.every((n) => typeof key[n] === 'string') || key[`${index}pk`] !== pk) throw bad();
  return key;
}

const eventSuffix = (i: number) => `${String(i).padStart(2, '0')}${randomBytes(3).toString('hex')}`;

/**
 * The submission context's registry items (key design: adapters/dynamo.ts).
 * Every write is one auditedWrite transaction: the change, its timeline
 * events and its audit record commit together or not at all.
 *
 * Two classes (issue 10, 250 KB per Lambda): the reads and the verification outcomes the
 * human-task kinds need (SubmissionOutcomeStore), and the whole store on top of them. A
 * bundle that builds only the outcomes (runtime/ports/human-task-kinds.ts) carries none of
 * the tasks, uploads, seal, correction and transfer writes: esbuild drops a class, never a method.
 */
export class DynamoSubmissionOutcomes implements SubmissionOutcomeStore {
  protected readonly table: string;
  protected readonly db: RegistryAccess;

  constructor(db: RegistryAccess) {
    // Clocks and bulletin counters ride in each event's own transaction (issue 14).
    this.db = withSupervisionItems(db);
    this.table = db.table;
  }

  async getTask(taskId: string): Promise<SurveyTask | undefined> {
    const item = await this.db.get(keys.surveyTask(taskId));
    return item ? surveyTaskSchema.parse(strip(item)) : undefined;
  }

  async getSubmission(submissionId: string): Promise<Submission | undefined> {
    const item = await this.db.get(keys.submission(submissionId));
    return item ? submissionSchema.parse(strip(item)) : undefined;
  }

  async getVersion(submissionId: string, n: number): Promise<Version | undefined> {
    const item = await this.db.get(keys.submissionVersion(submissionId, n));
    return item ? versionSchema.parse(strip(item)) : undefined;
  }

  async listFiles(submissionId: string, n: number, manifestId: string, page: { after?: string; limit?: number } = {}): Promise<VersionFile[]> {
    const prefix = keys.versionFile(submissionId, n, '').sk;
    const items = await this.all({ pk: keys.submission(submissionId).pk, skPrefix: prefix });
    // Sorted in JavaScript order, the order cursors compare in (DynamoDB sorts by UTF-8 bytes).
    const files = items
      .filter((i) => i['manifestId'] === manifestId)
      .map((i) => versionFileSchema.parse(strip(i)))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const after = page.after;
    const rest = after === undefined ? files : files.filter((f) => f.path > after);
    return page.limit ? rest.slice(0, page.limit) : rest;
  }

  async listEvents(submissionId: string): Promise<TimelineEvent[]> {
    const items = await this.all({ pk: keys.submission(submissionId).pk, skPrefix: 'EV#' });
    return items.map((i) => timelineEventSchema.parse(strip(i)));
  }

  protected async all(q: { index?: 'gsi1' | 'gsi2'; pk: string; skPrefix?: string }): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.db.query({ ...q, ...(startKey ? { startKey } : {}) });
      items.push(...out.items);
      startKey = out.lastKey;
    } while (startKey);
    return items;
  }

  protected put(item: Item, condition = 'attribute_not_exists(pk)'): TransactItem {
    return { Put: { TableName: this.table, Item: item, ConditionExpression: condition } };
  }

  protected eventItems(events: readonly TimelineEvent[]): AuditedItem[] {
    return events.map((e, i) => ({ item: this.put({ ...keys.submissionEvent(e.submissionId, e.at, eventSuffix(i)), ...e }) }));
  }

  protected update(key: Key, set: Record<string, unknown>, condition: string, extra: { values?: Record<string, unknown>; remove?: string[]; names?: Record<string, string> } = {}): TransactItem {
    // Every #name the condition mentions is declared; DynamoDB refuses undeclared and unused names alike.
    const names: Record<string, string> = { ...extra.names };
    for (const m of condition.matchAll(/#(\w+)/g)) names[`#${m[1]}`] = m[1]!;
    const values: Record<string, unknown> = { ...extra.values };
    const sets = Object.entries(set)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        return `#${k} = :${k}`;
      });
    const removes = (extra.remove ?? []).map((k) => {
      names[`#${k}`] = k;
      return `#${k}`;
    });
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    return {
      Update: {
        TableName: this.table,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  async recordAwaitingReview(input: { submissionId: string; n: number; reviewTaskId: string; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(
            keys.submissionVersion(input.submissionId, input.n),
            { status: 'awaitingReview', reviewTaskId: input.reviewTaskId, reviewRequestedAt: input.at },
            '#status IN (:sealed, :verifying)',
            { values: { ':sealed': 'sealed', ':verifying': 'verifying' } },
          ),
          onConditionFailed: () => new VersionStateChangedError(input.n),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  private decided(submissionId: string, n: number, set: Record<string, unknown>): AuditedItem {
    return {
      item: this.update(keys.submissionVersion(submissionId, n), set, '#status IN (:sealed, :verifying, :awaitingReview)', {
        values: { ':sealed': 'sealed', ':verifying': 'verifying', ':awaitingReview': 'awaitingReview' },
      }),
      onConditionFailed: () => new VersionStateChangedError(n),
    };
  }

  async recordReturn(input: ReturnRecord, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        this.decided(input.submissionId, input.n, {
          status: 'returned',
          decision: 'returned',
          decidedBy: input.decidedBy,
          decidedAt: input.at,
          reasons: input.reasons,
          defects: input.defects,
          defectCount: input.defectCount,
          reportKey: input.reportKey,
        }),
        {
          item: this.update(keys.submission(input.submissionId), { status: 'returned', returnedAt: input.at, resubmissionDue: input.resubmissionDue }, '#currentVersion = :n', {
            values: { ':n': input.n },
          }),
          onConditionFailed: () => new VersionStateChangedError(input.n),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordVerified(
    input: { submissionId: string; n: number; at: string; decidedBy: string; reportKey?: string; transferDue?: string; transferRequired: boolean; events: TimelineEvent[] },
    entry: AuditEntry,
  ): Promise<void> {
    await this.db.write(
      [
        this.decided(input.submissionId, input.n, { status: 'verified', decision: 'verified', decidedBy: input.decidedBy, decidedAt: input.at, reportKey: input.reportKey }),
        {
          item: this.update(
            keys.submission(input.submissionId),
            { status: 'verified', verifiedAt: input.at, transferRequired: input.transferRequired, transferDue: input.transferDue },
            '#currentVersion = :n',
            { values: { ':n': input.n } },
          ),
          onConditionFailed: () => new VersionStateChangedError(input.n),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async appendEvents(_submissionId: string, events: TimelineEvent[], entry: AuditEntry): Promise<void> {
    await this.db.write(this.eventItems(events), entry);
  }
}

/** The whole store: DynamoSubmissionOutcomes and every other write of the submission context. */
export class DynamoSubmissionStore extends DynamoSubmissionOutcomes implements SubmissionStore {

  async listTasks(q: { by: 'organiser' | 'implementer'; org: string; limit: number; cursor?: string }): Promise<Page<SurveyTask>> {
    const index = q.by === 'organiser' ? 'gsi1' : 'gsi2';
    const pk = q.by === 'organiser' ? `ORGTASKS#${q.org}` : `IMPLTASKS#${q.org}`;
    const out = await this.db.query({
      index,
      pk,
      forward: false,
      limit: q.limit,
      ...(q.cursor ? { startKey: decodeCursor(q.cursor, index, pk) } : {}),
    });
    return {
      items: out.items.map((i) => surveyTaskSchema.parse(strip(i))),
      ...(out.lastKey ? { cursor: encodeCursor(out.lastKey) } : {}),
    };
  }

  async listSubmissionsOfTask(taskId: string): Promise<Submission[]> {
    return (await this.all({ index: 'gsi1', pk: `TASKSUBS#${taskId}` })).map((i) => submissionSchema.parse(strip(i)));
  }

  /** Versions by GetItem 1..currentVersion: a Query on V# would also read every file item. */
  async listVersions(submissionId: string): Promise<Version[]> {
    const submission = await this.getSubmission(submissionId);
    if (!submission) return [];
    const ns = Array.from({ length: submission.currentVersion }, (_, i) => i + 1);
    const versions = await Promise.all(ns.map((n) => this.getVersion(submissionId, n)));
    return versions.filter((v): v is Version => v !== undefined);
  }

  async getFile(submissionId: string, n: number, manifestId: string, path: string): Promise<VersionFile | undefined> {
    const item = await this.db.get(keys.versionFile(submissionId, n, path));
    if (!item || item['manifestId'] !== manifestId) return undefined;
    return versionFileSchema.parse(strip(item));
  }

  /** The version is still open: every upload-state write carries this check (R10.1: sealed is immutable). */
  private versionOpen(submissionId: string, version: Version): AuditedItem {
    return {
      item: {
        ConditionCheck: {
          TableName: this.table,
          Key: keys.submissionVersion(submissionId, version.n),
          ConditionExpression: '#status = :open AND #manifestId = :manifestId',
          ExpressionAttributeNames: { '#status': 'status', '#manifestId': 'manifestId' },
          ExpressionAttributeValues: { ':open': 'open', ':manifestId': version.manifestId },
        },
      },
      onConditionFailed: () => new VersionSealedError(version.n, 'sealed'),
    };
  }

  async createTask(task: SurveyTask, entry: AuditEntry): Promise<void> {
    const sk = `TASK#${task.createdAt}#${task.taskId}`;
    await this.db.write(
      [
        {
          item: this.put({ ...keys.surveyTask(task.taskId), gsi1pk: `ORGTASKS#${task.organiserOrg}`, gsi1sk: sk, gsi2pk: `IMPLTASKS#${task.implementerOrg}`, gsi2sk: sk, ...task }),
          onConditionFailed: () => new ConflictError('TASK_EXISTS', `调查监测任务 ${task.taskId} 已存在`),
        },
      ],
      entry,
    );
  }

  async recordCompletion(
    u: { taskId: string; completionDate: string; submissionDue: string; recordedBy: string; recordedAt: string; previousDate: string | undefined },
    entry: AuditEntry,
  ): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(
            keys.surveyTask(u.taskId),
            { completionDate: u.completionDate, submissionDue: u.submissionDue, completionRecordedBy: u.recordedBy, completionRecordedAt: u.recordedAt },
            `attribute_exists(pk) AND attribute_not_exists(#submittedAt) AND ${u.previousDate ? '#completionDate = :previous' : 'attribute_not_exists(#completionDate)'}`,
            { names: { '#submittedAt': 'submittedAt' }, ...(u.previousDate ? { values: { ':previous': u.previousDate } } : {}) },
          ),
          onConditionFailed: () => new ConflictError('COMPLETION_CHANGED', '完成日期刚被他人修改，或该任务已有成果封存汇交；本次未保存，请刷新后重试'),
        },
      ],
      entry,
    );
  }

  async changeArrangement(
    c: { taskId: string; rev: number; reviewOrg?: string; countersignOrgs: readonly string[]; earlierArrangements: readonly ReviewArrangement[] },
    entry: AuditEntry,
  ): Promise<void> {
    const remove = [...(c.reviewOrg ? [] : ['reviewOrg']), ...(c.countersignOrgs.length ? [] : ['countersignOrgs'])];
    await this.db.write(
      [
        {
          item: this.update(
            keys.surveyTask(c.taskId),
            {
              ...(c.reviewOrg ? { reviewOrg: c.reviewOrg } : {}),
              ...(c.countersignOrgs.length ? { countersignOrgs: [...c.countersignOrgs] } : {}),
              earlierArrangements: c.earlierArrangements.map((a) => ({ ...a })),
              arrangementRev: c.rev + 1,
            },
            `attribute_exists(pk) AND ${c.rev === 0 ? 'attribute_not_exists(#arrangementRev)' : '#arrangementRev = :rev'}`,
            { remove, names: { '#arrangementRev': 'arrangementRev' }, ...(c.rev === 0 ? {} : { values: { ':rev': c.rev } }) },
          ),
          onConditionFailed: () => new ConflictError('ARRANGEMENT_CHANGED', '审核与会签安排刚被他人修改，请刷新后重试'),
        },
      ],
      entry,
    );
  }

  async createSubmission(input: { submission: Submission; version?: Version; files: VersionFile[]; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    const { submission, version } = input;
    if (input.files.length > 0) await this.db.batchPut(input.files.map((f) => ({ ...keys.versionFile(f.submissionId, f.n, f.path), ...f })));
    const exists = () => new ConflictError('SUBMISSION_EXISTS', `汇交 ${submission.submissionId} 已存在`);
    await this.db.write(
      [
        {
          item: this.put({ ...keys.submission(submission.submissionId), gsi1pk: `TASKSUBS#${submission.taskId}`, gsi1sk: `SUB#${submission.createdAt}#${submission.submissionId}`, ...submission }),
          onConditionFailed: exists,
        },
        ...(version ? [{ item: this.put({ ...keys.submissionVersion(submission.submissionId, version.n), ...version }), onConditionFailed: exists }] : []),
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async createVersion(
    input: {
      submissionId: string;
      previous: number;
      version: Version;
      files: VersionFile[];
      events: TimelineEvent[];
      from?: 'returned' | 'verified';
      problems?: ReadonlyArray<{ problem: QualityProblem; from: ProblemState }>;
    },
    entry: AuditEntry,
  ): Promise<void> {
    const { version } = input;
    const from = input.from ?? 'returned';
    await this.db.batchPut(input.files.map((f) => ({ ...keys.versionFile(f.submissionId, f.n, f.path), ...f })));
    const notReturned = () =>
      from === 'verified'
        ? new ConflictError('VERSION_NOT_RETURNED', `第 ${input.previous} 版已不是“核验通过”状态（可能已有人提交了更正版本），本次未创建新版本；请刷新后重试`)
        : new ConflictError('VERSION_NOT_RETURNED', `第 ${input.previous} 版已不是“已退回”状态（可能已有人提交了新版本），本次未创建新版本；请刷新后重试`);
    await this.db.write(
      [
        {
          item: this.update(
            keys.submission(input.submissionId),
            { status: 'uploading', currentVersion: version.n, catalogue: version.catalogue, classification: version.catalogue.classification },
            '#status = :from AND #currentVersion = :previous',
            {
              values: { ':from': from, ':previous': input.previous },
              // R19.3: the corrected version is verified and transferred on its own; the earlier round's record stays on the timeline.
              ...(from === 'verified' ? { remove: ['verifiedAt', 'transferDue', 'transferredAt', 'transferState', 'transferRequestedAt'] } : {}),
            },
          ),
          onConditionFailed: notReturned,
        },
        { item: this.put({ ...keys.submissionVersion(input.submissionId, version.n), ...version }), onConditionFailed: notReturned },
        ...(input.problems ?? []).flatMap(({ problem, from: state }) => [
          {
            item: {
              Put: {
                TableName: this.table,
                Item: problemItem(problem),
                ...problemCondition(problem, state),
              },
            },
            onConditionFailed: () => new ConflictError('PROBLEM_CHANGED', `质量问题 ${problem.problemId} 刚被他人处理，本次未创建更正版本；请刷新后重试`),
          },
          // The lists' copies (issue 13) in the same transaction.
          ...problemCopies(this.table, problem),
        ]),
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async holdOffline(
    input: { submissionId: string; previous: number; catalogue: Submission['catalogue']; heldOffline: NonNullable<Submission['heldOffline']>; events: TimelineEvent[] },
    entry: AuditEntry,
  ): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(
            keys.submission(input.submissionId),
            { status: 'heldOffline', catalogue: input.catalogue, classification: input.catalogue.classification, heldOffline: input.heldOffline },
            '#status = :returned AND #currentVersion = :previous',
            { values: { ':returned': 'returned', ':previous': input.previous } },
          ),
          onConditionFailed: () => new ConflictError('VERSION_NOT_RETURNED', `第 ${input.previous} 版已不是“已退回”状态，本次未保存；请刷新后重试`),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordMultipartStarts(submissionId: string, version: Version, starts: Array<{ path: string; uploadId: string }>, event: TimelineEvent, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        this.versionOpen(submissionId, version),
        ...starts.map((s) => ({
          item: this.update(
            keys.versionFile(submissionId, version.n, s.path),
            { uploadId: s.uploadId },
            'attribute_exists(pk) AND #manifestId = :manifestId AND attribute_not_exists(#uploadId)',
            { values: { ':manifestId': version.manifestId } },
          ),
          onConditionFailed: () => new MultipartRaceError(s.path),
        })),
        ...this.eventItems([event]),
      ],
      entry,
    );
  }

  async recordUploadEvent(submissionId: string, version: Version, event: TimelineEvent, entry: AuditEntry): Promise<void> {
    await this.db.write([this.versionOpen(submissionId, version), ...this.eventItems([event])], entry);
  }

  async recordFileUploaded(submissionId: string, version: Version, path: string, at: string, event: TimelineEvent, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        this.versionOpen(submissionId, version),
        {
          item: this.update(
            keys.versionFile(submissionId, version.n, path),
            { uploaded: true, uploadedAt: at },
            'attribute_exists(pk) AND #manifestId = :manifestId AND attribute_exists(#uploadId)',
            { values: { ':manifestId': version.manifestId }, names: { '#uploadId': 'uploadId' } },
          ),
          onConditionFailed: () => new ConflictError('MULTIPART_NOT_STARTED', `文件 ${path} 的分片上传已被取消，请重新申请上传地址`),
        },
        ...this.eventItems([event]),
      ],
      entry,
    );
  }

  async clearMultipartUploads(submissionId: string, version: Version, paths: string[], event: TimelineEvent, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        this.versionOpen(submissionId, version),
        ...paths.map((path) => ({
          item: this.update(keys.versionFile(submissionId, version.n, path), {}, 'attribute_exists(pk) AND #manifestId = :manifestId', {
            values: { ':manifestId': version.manifestId },
            names: { '#manifestId': 'manifestId' },
            remove: ['uploadId'],
          }),
        })),
        ...this.eventItems([event]),
      ],
      entry,
    );
  }

  async sealVersion(
    input: { submission: Submission; n: number; at: string; by: string; executionName: string; events: TimelineEvent[] },
    entry: AuditEntry,
  ): Promise<void> {
    const { submission, n, at } = input;
    await this.db.write(
      [
        {
          item: this.update(keys.submissionVersion(submission.submissionId, n), { status: 'sealed', sealedAt: at, sealedBy: input.by, executionName: input.executionName }, '#status = :open', {
            values: { ':open': 'open' },
          }),
          onConditionFailed: () => new VersionSealedError(n, 'sealed'),
        },
        {
          item: {
            Update: {
              TableName: this.table,
              Key: keys.submission(submission.submissionId),
              UpdateExpression: 'SET #status = :verifying, #firstSealedAt = if_not_exists(#firstSealedAt, :at)',
              ConditionExpression: '#currentVersion = :n',
              ExpressionAttributeNames: { '#status': 'status', '#firstSealedAt': 'firstSealedAt', '#currentVersion': 'currentVersion' },
              ExpressionAttributeValues: { ':verifying': 'verifying', ':at': at, ':n': n },
            },
          },
          onConditionFailed: () => new VersionStateChangedError(n),
        },
        {
          // R6.1 met: the first sealed package of the task.
          item: {
            Update: {
              TableName: this.table,
              Key: keys.surveyTask(submission.taskId),
              UpdateExpression: 'SET #submittedAt = if_not_exists(#submittedAt, :at)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#submittedAt': 'submittedAt' },
              ExpressionAttributeValues: { ':at': at },
            },
          },
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordVerificationStarted(input: { submissionId: string; n: number; executionArn?: string; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(
            keys.submissionVersion(input.submissionId, input.n),
            { status: 'verifying', executionArn: input.executionArn, verificationStartedAt: input.at },
            '#status = :sealed',
            { values: { ':sealed': 'sealed' } },
          ),
          onConditionFailed: () => new VersionStateChangedError(input.n),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordTransferred(input: { submissionId: string; n: number; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(
            keys.submission(input.submissionId),
            { transferredAt: input.at, transferState: 'received' },
            '#status = :verified AND #currentVersion = :n AND attribute_not_exists(#transferredAt)',
            { values: { ':verified': 'verified', ':n': input.n } },
          ),
          onConditionFailed: () =>
            new ConflictError('TRANSFER_ALREADY_RECORDED', `汇交 ${input.submissionId} 的移交接收已记录，或第 ${input.n} 版已不是通过核验的当前版本`),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async claimTransfer(input: { submissionId: string; n: number; attempt: number; at: string; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    const first = input.attempt === 1;
    // Attempt k > 1: a restart after attempt k − 1 failed, or the first transfer of a corrected version (R19.3) after the earlier version's attempt k − 1.
    await this.db.write(
      [
        {
          item: this.update(
            keys.submission(input.submissionId),
            { transferState: 'requested', transferAttempt: input.attempt, transferRequestedAt: input.at },
            '#status = :verified AND #currentVersion = :n AND attribute_not_exists(#transferredAt) AND ' +
              (first ? 'attribute_not_exists(#transferState)' : '(#transferState = :failed OR attribute_not_exists(#transferState)) AND #transferAttempt = :previous'),
            { values: { ':verified': 'verified', ':n': input.n, ...(first ? {} : { ':failed': 'failed', ':previous': input.attempt - 1 }) } },
          ),
          onConditionFailed: () => new ConflictError('TRANSFER_ALREADY_STARTED', `汇交 ${input.submissionId} 的移交已启动或已完成，本次请求未再次启动`),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordTransferFailed(input: { submissionId: string; attempt: number; events: TimelineEvent[] }, entry: AuditEntry): Promise<void> {
    await this.db.write(
      [
        {
          item: this.update(keys.submission(input.submissionId), { transferState: 'failed' }, '#transferState = :requested AND #transferAttempt = :attempt', {
            values: { ':requested': 'requested', ':attempt': input.attempt },
          }),
          onConditionFailed: () => new ConflictError('TRANSFER_NOT_RUNNING', `汇交 ${input.submissionId} 的第 ${input.attempt} 次移交不在进行中`),
        },
        ...this.eventItems(input.events),
      ],
      entry,
    );
  }

  async recordCustodyCopy(event: TimelineEvent, entry: AuditEntry): Promise<void> {
    const resultNumber = event.detail['resultNumber'];
    if (event.type !== 'custodyCopied' || typeof resultNumber !== 'string' || event.n === undefined) throw new Error('recordCustodyCopy: a custodyCopied event with its resultNumber and version');
    await this.db.write([{ item: this.put({ ...keys.submissionEvent(event.submissionId, event.at, eventSuffix(0)), ...custodyCopyIndex(resultNumber, event.n), ...event }) }], entry);
  }
}
