import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoHumanTaskStore } from '#adapters/dynamo-tasks.ts';
import { AesGcmTokenVault } from '#adapters/token-vault.ts';
import type { InMemoryTables } from '#test/fakes/audit-store.ts';
import { WorkingDayCalendar } from '#shared/calendar/calendar.ts';
import { ConflictError, NotFoundError } from '#shared/errors.ts';
import type { Mailer, MailMessage } from '#shared/ports/mailer.ts';
import type { HumanTask, HumanTaskSubject } from '#shared/ports/tasks.ts';
import type { DocumentStore } from '#shared/ports/verification.ts';
import type { Workflow } from '#shared/ports/workflow.ts';
import type { Principal } from '#shared/schemas/identity.ts';
import type { HumanTaskPorts } from '#shared/tasks/human-tasks.ts';
import { newTaskId } from '#shared/tasks/ids.ts';
import type { HumanTaskEvent, HumanTaskKind } from '#shared/tasks/kinds.ts';
import { FakeIdentity } from './identity-fakes.ts';

type Item = Record<string, unknown>;

/**
 * The reads DynamoHumanTaskStore makes (GetItem, Query on gsi1/gsi2), served
 * from the in-memory tables with DynamoDB's ordering; its writes go through
 * the real auditedWrite against the same tables (conditions evaluated there).
 */
export class InMemoryDocumentReader {
  readonly reads: string[] = [];
  constructor(
    private readonly tables: InMemoryTables,
    private readonly table = 'registry',
  ) {}

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetCommand) {
      this.reads.push('get');
      const item = this.tables.get(this.table, command.input.Key as { pk: string; sk: string });
      return item ? { Item: item } : {};
    }
    if (command instanceof QueryCommand) {
      this.reads.push(`query ${command.input.IndexName ?? 'table'}`);
      const index = command.input.IndexName;
      const pkName = index ? `${index}pk` : 'pk';
      const skName = index ? `${index}sk` : 'sk';
      const values = command.input.ExpressionAttributeValues ?? {};
      const condition = command.input.KeyConditionExpression ?? '';
      let items = this.tables.scan(this.table).filter((i) => i[pkName] === values[':pk']);
      if (condition.includes('< :before')) items = items.filter((i) => String(i[skName]) < String(values[':before']));
      items.sort((a, b) => (String(a[skName]) < String(b[skName]) ? -1 : 1));
      if (command.input.ScanIndexForward === false) items.reverse();
      return { Items: items };
    }
    throw new Error(`InMemoryDocumentReader: ${String((command as object).constructor.name)} not supported`);
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  /** The transport refuses every message while set. */
  failWith: Error | undefined;
  async send(message: MailMessage) {
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
    return { messageId: `m-${this.sent.length}` };
  }
  to(userEmail: string): MailMessage[] {
    return this.sent.filter((m) => m.to.includes(userEmail));
  }
}

/** Step Functions' callback API as the facility sees it; `fail` makes the next calls fail as AWS would. */
export class RecordingWorkflow implements Workflow {
  readonly successes: Array<{ token: string; output: unknown }> = [];
  fail: 'timedOut' | 'network' | undefined;
  async start(): Promise<string> {
    throw new Error('not used');
  }
  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.fail === 'timedOut') throw new ConflictError('TASK_CLOSED', '该任务已结束（已处理或已超时），本次操作未执行');
    if (this.fail === 'network') throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    this.successes.push({ token, output });
  }
  async sendTaskFailure(): Promise<void> {}
  async sendTaskHeartbeat(): Promise<void> {}
}

/** The documents bucket in memory. */
export class InMemoryDocuments implements DocumentStore {
  readonly objects = new Map<string, { body: string; contentType: string }>();
  async putJson(key: string, value: unknown) {
    await this.putText(key, JSON.stringify(value), 'application/json');
  }
  async getJson(key: string) {
    const o = this.objects.get(key);
    return o ? (JSON.parse(o.body) as unknown) : undefined;
  }
  async putText(key: string, body: string, contentType: string) {
    this.objects.set(key, { body, contentType });
  }
  async getText(key: string) {
    return this.objects.get(key)?.body;
  }
}

/** A kind for testing the facility alone: 广东省自然资源厅's reviewers approve a “test subject”. */
export function testKind(events: Array<{ task: HumanTask; events: readonly HumanTaskEvent[] }> = []): HumanTaskKind {
  return {
    kind: 'testApproval',
    label: '测试审批',
    role: 'reviewer',
    async describe(subject: HumanTaskSubject) {
      if (subject['missing']) throw new NotFoundError('测试对象不存在');
      return { title: `测试审批：${String(subject['name'])}`, assigneeOrg: String(subject['org'] ?? '440000-NR'), details: [`对象：${String(subject['name'])}`] };
    },
    async record(task, recorded) {
      events.push({ task, events: recorded });
    },
    async summary(task) {
      return { kind: 'testApproval', name: task.subject['name'] };
    },
  };
}

export const appBaseUrl = 'https://chengguo.example.gov.cn';

export interface TaskWorld {
  readonly identity: FakeIdentity;
  readonly tables: InMemoryTables;
  readonly reader: InMemoryDocumentReader;
  readonly store: DynamoHumanTaskStore;
  readonly mailer: RecordingMailer;
  readonly workflow: RecordingWorkflow;
  readonly vault: AesGcmTokenVault;
  readonly recorded: Array<{ task: HumanTask; events: readonly HumanTaskEvent[] }>;
  readonly ports: HumanTaskPorts;
  now: Date;
  user(userId: string): Promise<Principal>;
  /** Every registry and logs item, for “nothing changed”. */
  snapshot(): string;
}

/** 2026-09-21 10:00 in China (Monday). */
export const taskWorldNow = '2026-09-21T02:00:00.000Z';

export async function taskWorld(opts: { kinds?: HumanTaskKind[] } = {}): Promise<TaskWorld> {
  const identity = await FakeIdentity.seeded();
  const tables = identity.tables;
  const reader = new InMemoryDocumentReader(tables);
  const store = new DynamoHumanTaskStore('registry', { client: reader, auditStore: tables });
  const mailer = new RecordingMailer();
  const workflow = new RecordingWorkflow();
  const vault = new AesGcmTokenVault(randomBytes(32));
  const recorded: Array<{ task: HumanTask; events: readonly HumanTaskEvent[] }> = [];
  const kinds = new Map((opts.kinds ?? [testKind(recorded)]).map((k) => [k.kind, k]));
  const calendar = new WorkingDayCalendar();
  const world: TaskWorld = {
    identity,
    tables,
    reader,
    store,
    mailer,
    workflow,
    vault,
    recorded,
    now: new Date(taskWorldNow),
    ports: {
      tasks: store,
      vault,
      identity,
      mailer,
      workflow,
      calendar: async () => calendar,
      now: () => world.now,
      newId: newTaskId,
      appBaseUrl,
      kinds: (k) => kinds.get(k),
    },
    async user(userId) {
      const u = await identity.getUser(userId);
      if (!u) throw new Error(`no seed user ${userId}`);
      return u;
    },
    snapshot() {
      return JSON.stringify([tables.scan('registry'), tables.scan('logs')]);
    },
  };
  return world;
}

/** A task token as Step Functions mints them (long, opaque). */
export function fakeTaskToken(): string {
  return `AQCE${randomBytes(96).toString('base64url')}`;
}

export const lambdaContext = { awsRequestId: 'aws-req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** Everything written to stdout and stderr while `fn` runs (the structured logs). */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; output: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, error: undefined, output: chunks.join('') };
  } catch (error) {
    return { result: undefined, error, output: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export type { Item };
