import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { auditedWrite, type AuditedItem } from '#adapters/audited-write.ts';
import { requireEnv, tableEnv } from '#adapters/config.ts';
import type { AuditEntry } from '#shared/ports/audit.ts';
import {
  PublicationChangedError,
  PublicationRequestedError,
  publicationIndexEntries,
  publicationIndexSortKey,
  type PublicationListSide,
  type PublicationStatus,
  type ProgrammeMember,
  type PublicationRequest,
  type PublicationRequestStore,
} from '#shared/publication/request-store.ts';
import { documentClient, keys } from './dynamo.ts';
import { supervisionItems } from './dynamo-supervision.ts';

/**
 * PUBREQ#<requestId> / META: the request, replaced whole under a revision condition; PUBREL#<release> / META:
 * which request a release version belongs to (so a release is requested once); PUBPROG#<programme> / <requestId>:
 * the programme's requests for the level-by-level hold; PUBREQIDX#<side>#<org> / <requestedAt>#<requestId> {status}:
 * the console's lists (prepared by, reviewed by, approved by an organisation), re-put with the status on every write.
 * Every write carries its audit record and the clock and
 * counter items its audit entry's supervision effects add (R11.1, R12.1 clocks; the bulletin's publication counters)
 * in one transaction.
 */
/** Reading a request only (the human-task kinds: in every task function's bundle, so kept small). */
export class DynamoPublicationRequestReader implements Pick<PublicationRequestStore, 'get'> {
  constructor(protected readonly table: string) {}

  async get(requestId: string): Promise<PublicationRequest | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.publication(requestId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = out.Item;
    return record as PublicationRequest;
  }
}

export class DynamoPublicationRequestStore extends DynamoPublicationRequestReader implements PublicationRequestStore {

  async requestOfRelease(releaseNumber: string): Promise<string | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.publicationOfRelease(releaseNumber), ConsistentRead: true }));
    return out.Item?.['requestId'] as string | undefined;
  }

  private async supervision(audit: AuditEntry): Promise<AuditedItem[]> {
    return supervisionItems(this.table, audit, async (key) => (await documentClient().send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item);
  }

  private releaseLink(releaseNumber: string, requestId: string): AuditedItem {
    return {
      item: { Put: { TableName: this.table, Item: { ...keys.publicationOfRelease(releaseNumber), requestId }, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: () => new PublicationRequestedError(releaseNumber),
    };
  }

  /** The list index items of a request, carrying its status (so a status filter is a condition on the key query). */
  private indexItems(r: PublicationRequest): AuditedItem[] {
    return publicationIndexEntries(r).map(({ side, org }) => ({
      item: { Put: { TableName: this.table, Item: { ...keys.publicationIndex(side, org, publicationIndexSortKey(r)), requestId: r.requestId, status: r.status } } },
    }));
  }

  async listFor(side: PublicationListSide, org: string, opts: { status?: PublicationStatus; limit: number; cursor?: string }): Promise<{ requestIds: string[]; cursor?: string }> {
    const key = keys.publicationIndex(side, org, '');
    const page = await documentClient().send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': key.pk, ...(opts.status ? { ':s': opts.status } : {}) },
        ...(opts.status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(opts.cursor ? { ExclusiveStartKey: { pk: key.pk, sk: opts.cursor } } : {}),
      }),
    );
    const last = page.LastEvaluatedKey?.['sk'];
    return { requestIds: (page.Items ?? []).map((i) => i['requestId'] as string), ...(typeof last === 'string' ? { cursor: last } : {}) };
  }

  async create(request: PublicationRequest, audit: AuditEntry): Promise<void> {
    const items: AuditedItem[] = [
      {
        item: { Put: { TableName: this.table, Item: { ...keys.publication(request.requestId), ...request }, ConditionExpression: 'attribute_not_exists(pk)' } },
        onConditionFailed: () => new PublicationRequestedError(request.releaseNumber),
      },
      this.releaseLink(request.releaseNumber, request.requestId),
      ...this.indexItems(request),
    ];
    items.push(...(await this.supervision(audit)));
    if (request.programme) {
      items.push({ item: { Put: { TableName: this.table, Item: { ...keys.publicationProgramme(request.programme, request.requestId), requestId: request.requestId, level: request.level, regionCode: request.regionCode, ...(request.taskId ? { taskId: request.taskId } : {}) } } } });
    }
    await auditedWrite({ items, entry: audit });
  }

  async update(next: PublicationRequest, audit: AuditEntry, newRelease?: string): Promise<void> {
    const items: AuditedItem[] = [
      {
        item: {
          Put: {
            TableName: this.table,
            Item: { ...keys.publication(next.requestId), ...next },
            ConditionExpression: '#r = :previous',
            ExpressionAttributeNames: { '#r': 'revision' },
            ExpressionAttributeValues: { ':previous': next.revision - 1 },
          },
        },
        onConditionFailed: () => new PublicationChangedError(next.requestId),
      },
    ];
    if (newRelease) items.push(this.releaseLink(newRelease, next.requestId));
    items.push(...this.indexItems(next));
    items.push(...(await this.supervision(audit)));
    await auditedWrite({ items, entry: audit });
  }

  async listProgramme(programme: string): Promise<ProgrammeMember[]> {
    const out: ProgrammeMember[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient().send(
        new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.publicationProgramme(programme, '').pk }, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      for (const i of page.Items ?? []) {
        out.push({ requestId: i['requestId'] as string, level: i['level'] as ProgrammeMember['level'], regionCode: i['regionCode'] as string, ...(i['taskId'] ? { taskId: i['taskId'] as string } : {}) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}

/**
 * The survey task's place in a programme (R11.1 level by level), read without the submission adapter (which would
 * double RequestPublication's bundle): the task id, its parent and its programme's top task.
 */
export class DynamoProgrammeTaskReader {
  constructor(private readonly table: string) {}

  async getTask(taskId: string): Promise<{ taskId: string; parentTaskId?: string; programmeTaskId?: string } | undefined> {
    const out = await documentClient().send(new GetCommand({ TableName: this.table, Key: keys.surveyTask(taskId), ProjectionExpression: 'taskId, parentTaskId, programmeTaskId' }));
    if (!out.Item) return undefined;
    const { parentTaskId, programmeTaskId } = out.Item;
    return { taskId, ...(typeof parentTaskId === 'string' ? { parentTaskId } : {}), ...(typeof programmeTaskId === 'string' ? { programmeTaskId } : {}) };
  }
}

export function programmeTaskReaderFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoProgrammeTaskReader {
  return new DynamoProgrammeTaskReader(requireEnv(tableEnv.registry, env));
}

export function publicationRequestStoreFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoPublicationRequestStore {
  return new DynamoPublicationRequestStore(requireEnv(tableEnv.registry, env));
}

export function publicationRequestReaderFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoPublicationRequestReader {
  return new DynamoPublicationRequestReader(requireEnv(tableEnv.registry, env));
}
