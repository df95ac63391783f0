import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditedWrite } from '#adapters/audited-write.ts';
import type { AuditChainStore } from '#adapters/dynamo-audit.ts';
import { envNames, requireEnv } from '#adapters/config.ts';
import type { IsoDate } from '#shared/calendar/dates.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import type { HumanTask, HumanTaskDecision, HumanTaskStore, HumanTaskSubject } from '#shared/ports/tasks.ts';
import { HumanTaskAlreadyDecidedError, HumanTaskExpiredError, HumanTaskNotFoundError } from '#shared/tasks/errors.ts';
import { documentClient, gsi1, gsi2, keys, queryAll } from './dynamo.ts';

/**
 * Human tasks in the registry:
 *   HTASK#<id> / META  the task, its sealed token (tokenCiphertext) while open
 *   gsi1: HTASKS#open / DUE#<due>#<id>     only while open (sparse): the reminder scan
 *   gsi2: HTASKSUBJ#<kind>#<subject> / HTASK#<createdAt>#<id>   the tasks of one subject
 * Deciding or expiring removes the gsi1 keys and the token in the same write.
 */
const openPk = 'HTASKS#open';

/** Stable text of a subject (keys sorted), for the gsi2 partition. */
export function subjectKey(subject: HumanTaskSubject): string {
  return Object.keys(subject)
    .sort()
    .map((k) => `${k}=${String(subject[k])}`)
    .join('&');
}

const bookkeeping = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'tokenCiphertext']);

function toTask(item: Record<string, unknown>): HumanTask {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !bookkeeping.has(k))) as unknown as HumanTask;
}

/** Thrown inside a transaction when the task's condition fails; the adapter re-reads to say why. */
class TaskConditionFailed extends Error {}

type Reader = Pick<DynamoDBDocumentClient, 'send'>;

export class DynamoHumanTaskStore implements HumanTaskStore {
  constructor(
    private readonly table: string,
    private readonly opts: { client?: Reader; auditStore?: AuditChainStore } = {},
  ) {}

  private get client(): Reader {
    return this.opts.client ?? documentClient();
  }

  private write(items: Parameters<typeof auditedWrite>[0]['items'], entry: AuditEntry) {
    return auditedWrite({ items, entry, ...(this.opts.auditStore ? { store: this.opts.auditStore } : {}) });
  }

  async create(task: HumanTask, tokenCiphertext: string, entry: AuditEntry): Promise<void> {
    await this.write(
      [
        {
          item: {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.humanTask(task.id),
                gsi1pk: openPk,
                gsi1sk: `DUE#${task.due}#${task.id}`,
                gsi2pk: `HTASKSUBJ#${task.kind}#${subjectKey(task.subject)}`,
                gsi2sk: `HTASK#${task.createdAt}#${task.id}`,
                ...task,
                tokenCiphertext,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
      ],
      entry,
    );
  }

  async get(id: string): Promise<{ task: HumanTask; tokenCiphertext?: string } | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: keys.humanTask(id), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const sealed = out.Item['tokenCiphertext'];
    return { task: toTask(out.Item), ...(typeof sealed === 'string' ? { tokenCiphertext: sealed } : {}) };
  }

  /**
   * The one write shape of a task change: an audited, conditional update of the
   * task (`#status` names its status). False, and nothing written, when the
   * condition fails; the caller says why.
   */
  private async update(id: string, change: { set: string; when: string; values: Record<string, unknown> }, entry: AuditEntry): Promise<boolean> {
    try {
      await this.write(
        [
          {
            item: {
              Update: {
                TableName: this.table,
                Key: keys.humanTask(id),
                UpdateExpression: change.set,
                ConditionExpression: change.when,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: change.values,
              },
            },
            onConditionFailed: () => new TaskConditionFailed(),
          },
        ],
        entry,
      );
      return true;
    } catch (error) {
      if (error instanceof TaskConditionFailed) return false;
      throw error;
    }
  }

  async decide(id: string, decision: HumanTaskDecision, entry: AuditEntry): Promise<void> {
    const decided = await this.update(
      id,
      {
        // The token is spent by this decision: it leaves the store in the same write.
        set: 'SET #status = :decided, decision = :decision REMOVE tokenCiphertext, gsi1pk, gsi1sk',
        when: 'attribute_exists(pk) AND #status = :open AND expiresAt > :at',
        values: { ':decided': 'decided', ':open': 'open', ':decision': decision, ':at': decision.decidedAt },
      },
      entry,
    );
    if (decided) return;
    const now = await this.get(id);
    if (!now) throw new HumanTaskNotFoundError();
    if (now.task.status === 'decided') throw new HumanTaskAlreadyDecidedError(now.task.decision?.decidedBy, now.task.decision?.decidedAt);
    throw new HumanTaskExpiredError();
  }

  /** False when the task is no longer open (decided or expired meanwhile). */
  async reseal(id: string, tokenCiphertext: string, expiresAt: string, entry: AuditEntry): Promise<boolean> {
    return this.update(
      id,
      { set: 'SET tokenCiphertext = :token, expiresAt = :expiresAt', when: '#status = :open', values: { ':open': 'open', ':token': tokenCiphertext, ':expiresAt': expiresAt } },
      entry,
    );
  }

  async reopen(id: string, tokenCiphertext: string, decidedAt: string, entry: AuditEntry): Promise<void> {
    const current = await this.get(id);
    if (!current) throw new HumanTaskNotFoundError();
    const reopened = await this.update(
      id,
      {
        set: 'SET #status = :open, tokenCiphertext = :token, gsi1pk = :openPk, gsi1sk = :due REMOVE decision',
        when: '#status = :decided AND decision.decidedAt = :decidedAt',
        values: { ':open': 'open', ':decided': 'decided', ':token': tokenCiphertext, ':openPk': openPk, ':due': `DUE#${current.task.due}#${id}`, ':decidedAt': decidedAt },
      },
      entry,
    );
    if (!reopened) throw new HumanTaskAlreadyDecidedError();
  }

  async expire(id: string, at: string, entry: AuditEntry): Promise<void> {
    const expired = await this.update(
      id,
      {
        set: 'SET #status = :expired, expiredAt = :at REMOVE tokenCiphertext, gsi1pk, gsi1sk',
        when: 'attribute_exists(pk) AND #status <> :expired',
        values: { ':expired': 'expired', ':at': at },
      },
      entry,
    );
    // Already expired: nothing to do.
    if (!expired && !(await this.get(id))) throw new HumanTaskNotFoundError();
  }

  async listOpenDueBefore(date: IsoDate, limit: number): Promise<HumanTask[]> {
    return queryAll(
      {
        TableName: this.table,
        IndexName: gsi1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
        ExpressionAttributeValues: { ':pk': openPk, ':before': `DUE#${date}` },
        Limit: Math.min(limit, 100),
      },
      toTask,
      { client: this.client, limit },
    );
  }

  async listBySubject(kind: string, subject: HumanTaskSubject): Promise<HumanTask[]> {
    return queryAll(
      {
        TableName: this.table,
        IndexName: gsi2,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `HTASKSUBJ#${kind}#${subjectKey(subject)}` },
        ScanIndexForward: false,
      },
      toTask,
      { client: this.client },
    );
  }

  async recordReminder(id: string, on: IsoDate, entry: AuditEntry): Promise<boolean> {
    return this.update(
      id,
      {
        set: 'SET remindedOn = :on',
        // At most one reminder a day, however often the schedule fires.
        when: '#status = :open AND (attribute_not_exists(remindedOn) OR remindedOn <> :on)',
        values: { ':open': 'open', ':on': on },
      },
      entry,
    );
  }

  async escalate(id: string, change: { fromLevel: number; orgs: readonly string[]; assignees: readonly string[] }, entry: AuditEntry): Promise<boolean> {
    return this.update(
      id,
      {
        set: 'SET assignees = :assignees, escalatedTo = :orgs, escalationLevel = :to',
        when: '#status = :open AND escalationLevel = :from',
        values: { ':open': 'open', ':assignees': [...change.assignees], ':orgs': [...change.orgs], ':from': change.fromLevel, ':to': change.fromLevel + 1 },
      },
      entry,
    );
  }
}

export function humanTaskStoreFromEnv(env: NodeJS.ProcessEnv = process.env): HumanTaskStore {
  return new DynamoHumanTaskStore(requireEnv(envNames.registryTable, env));
}
